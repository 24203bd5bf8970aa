import { x509, ED25519, ed25519KeyFromSpki } from './x509'
import { randomSerial, type RandomBytes, defaultRandom } from './serial'

/** What a node needs to check credentials: the CA's certificate and raw Ed25519 key. */
export interface TrustAnchor {
  readonly certificate: x509.X509Certificate
  readonly der: Uint8Array
  readonly publicKey: Uint8Array
  readonly subject: string
}

/** The relay's signing authority: its Ed25519 key pair (WebCrypto) and self-signed root. */
export interface CertificateAuthority {
  readonly keys: CryptoKeyPair
  readonly anchor: TrustAnchor
}

export interface CreateAuthorityOptions {
  readonly nowMs: number
  readonly name?: string
  readonly validityMs?: number
  readonly random?: RandomBytes
}

const YEAR_MS = 365 * 24 * 3600 * 1000

export async function createCertificateAuthority(options: CreateAuthorityOptions): Promise<CertificateAuthority> {
  const keys = (await crypto.subtle.generateKey(ED25519, true, ['sign', 'verify'])) as CryptoKeyPair
  const notBefore = Math.floor(options.nowMs / 1000) * 1000
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: randomSerial(options.random ?? defaultRandom),
    name: `CN=${escapeDn(options.name ?? 'Agent Mesh CA')}`,
    notBefore: new Date(notBefore),
    notAfter: new Date(notBefore + (options.validityMs ?? 10 * YEAR_MS)),
    keys,
    signingAlgorithm: ED25519,
    extensions: [
      new x509.BasicConstraintsExtension(true, 0, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true),
    ],
  })
  return { keys, anchor: trustAnchorFromCertificate(new Uint8Array(certificate.rawData)) }
}

/** Reads a CA certificate a node was configured with (or fetched from its relay and pinned). */
export function trustAnchorFromCertificate(der: Uint8Array): TrustAnchor {
  const certificate = new x509.X509Certificate(der as Uint8Array<ArrayBuffer>)
  const publicKey = ed25519KeyFromSpki(new Uint8Array(certificate.publicKey.rawData))
  if (!publicKey) throw new Error('the CA certificate does not hold an Ed25519 key')
  const constraints = certificate.getExtension(x509.BasicConstraintsExtension)
  if (!constraints?.ca) throw new Error('the certificate is not a CA certificate (basicConstraints cA is not set)')
  return { certificate, der: new Uint8Array(der), publicKey, subject: certificate.subject }
}

/** The persisted form: PKCS#8 private key and the DER root certificate. Keep the key file private. */
export interface ExportedAuthority {
  readonly privateKeyPkcs8: Uint8Array
  readonly certificateDer: Uint8Array
}

export async function exportCertificateAuthority(ca: CertificateAuthority): Promise<ExportedAuthority> {
  return {
    privateKeyPkcs8: new Uint8Array(await crypto.subtle.exportKey('pkcs8', ca.keys.privateKey)),
    certificateDer: ca.anchor.der,
  }
}

export async function importCertificateAuthority(exported: ExportedAuthority): Promise<CertificateAuthority> {
  const anchor = trustAnchorFromCertificate(exported.certificateDer)
  const privateKey = await crypto.subtle.importKey('pkcs8', exported.privateKeyPkcs8 as Uint8Array<ArrayBuffer>, ED25519, true, ['sign'])
  const publicKey = await crypto.subtle.importKey('raw', anchor.publicKey as Uint8Array<ArrayBuffer>, ED25519, true, ['verify'])
  const probe = new TextEncoder().encode('agent-mesh/ca-key-check')
  const signature = await crypto.subtle.sign(ED25519, privateKey, probe)
  if (!(await crypto.subtle.verify(ED25519, publicKey, signature, probe))) {
    throw new Error('the CA private key does not belong to the CA certificate')
  }
  return { keys: { privateKey, publicKey }, anchor }
}

/** Signs bytes with the CA key (revocation records). */
export async function signAsAuthority(ca: CertificateAuthority, message: Uint8Array): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign(ED25519, ca.keys.privateKey, message as Uint8Array<ArrayBuffer>))
}

export function escapeDn(value: string): string {
  return value.replace(/([,+"\\<>;=#])/g, '\\$1')
}
