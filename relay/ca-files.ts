import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  createCertificateAuthority,
  exportCertificateAuthority,
  importCertificateAuthority,
  type CertificateAuthority,
} from '../workers/security/credentials/ca'
import { credentialFromPem, credentialToPem } from '../workers/security/credentials/credential'

export const CA_KEY_FILE = 'ca.key'
export const CA_CERT_FILE = 'ca.crt'

/**
 * The relay's certificate authority lives in its data dir: `ca.key` (PKCS#8, mode 0600; the
 * root of trust, back it up and keep it private) and `ca.crt` (PEM; public, served to nodes).
 * Created on first start, reused after.
 */
export async function loadOrCreateAuthority(dataDir: string, nowMs = Date.now()): Promise<{ ca: CertificateAuthority; created: boolean }> {
  mkdirSync(dataDir, { recursive: true })
  const keyFile = join(dataDir, CA_KEY_FILE)
  const certFile = join(dataDir, CA_CERT_FILE)
  if (existsSync(keyFile) || existsSync(certFile)) return { ca: await loadAuthority(dataDir), created: false }
  const ca = await createCertificateAuthority({ nowMs, name: 'Agent Mesh relay CA' })
  const exported = await exportCertificateAuthority(ca)
  writeFileSync(keyFile, exported.privateKeyPkcs8, { mode: 0o600 })
  writeFileSync(certFile, credentialToPem(exported.certificateDer))
  return { ca, created: true }
}

export async function loadAuthority(dataDir: string): Promise<CertificateAuthority> {
  const keyFile = join(dataDir, CA_KEY_FILE)
  const certFile = join(dataDir, CA_CERT_FILE)
  if (!existsSync(keyFile) || !existsSync(certFile)) {
    throw new Error(
      `the CA in ${dataDir} is incomplete: need both ${CA_KEY_FILE} and ${CA_CERT_FILE} (restore them from a backup; start the relay once to create a new CA)`,
    )
  }
  try {
    return await importCertificateAuthority({
      privateKeyPkcs8: new Uint8Array(readFileSync(keyFile)),
      certificateDer: credentialFromPem(readFileSync(certFile, 'utf8')),
    })
  } catch (err) {
    throw new Error(`cannot load the CA from ${dataDir}: ${(err as Error).message}`)
  }
}
