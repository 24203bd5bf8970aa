import { bls12_381 } from '@noble/curves/bls12-381.js'
import { x509, ED25519, ed25519KeyFromSpki, importEd25519PublicKey } from './x509'
import { escapeDn, type CertificateAuthority, type TrustAnchor } from './ca'
import { bindingUris, parseBindingUris } from './binding'
import { randomSerial, defaultRandom, type RandomBytes } from './serial'
import { isRole, roles as allRoles, type Role } from '../../protocol/roles'
import { peerIdOf } from '../keys/derive'

/** Certificates bigger than this are refused before parsing; ours are about 0.5 KiB. */
export const MAX_CREDENTIAL_BYTES = 4096

/** A credential whose certificate has been checked against a CA by `verifyCredential`. */
export interface Credential {
  readonly serial: string
  readonly peerId: string
  readonly identityPublicKey: Uint8Array
  readonly blsPublicKey: Uint8Array
  readonly agreementPublicKey: Uint8Array
  readonly roles: readonly Role[]
  readonly notBeforeMs: number
  readonly notAfterMs: number
  readonly der: Uint8Array
}

/** Only objects built by `verifyCredential` or `issueCredential` are in here; `checkSender` trusts nothing else. */
const verified = new WeakSet<Credential>()

export function isVerifiedCredential(credential: Credential): boolean {
  return verified.has(credential)
}

export interface CredentialSubject {
  readonly identityPublicKey: Uint8Array
  readonly blsPublicKey: Uint8Array
  readonly agreementPublicKey: Uint8Array
}

export interface IssueOptions {
  readonly roles: readonly Role[]
  readonly notBeforeMs: number
  readonly notAfterMs: number
  readonly random?: RandomBytes
}

/**
 * Signs an X.509 certificate whose subject key is the node's Ed25519 identity and whose
 * Subject Alternative Name URIs name its PeerId, BLS and X25519 keys and roles (binding.ts). The caller (the
 * issuance policy) has already decided the roles are deserved and the BLS key possessed.
 */
export async function issueCredential(ca: CertificateAuthority, subject: CredentialSubject, options: IssueOptions): Promise<Credential> {
  const problem = subjectProblem(subject) ?? rolesProblem(options.roles)
  if (problem) throw new Error(`cannot issue: ${problem}`)
  const notBefore = Math.floor(options.notBeforeMs / 1000) * 1000
  const notAfter = Math.floor(options.notAfterMs / 1000) * 1000
  if (notAfter <= notBefore) throw new Error('cannot issue: notAfter is not after notBefore')
  const peerId = peerIdOf(subject.identityPublicKey)
  const roles = canonicalRoles(options.roles)
  const uris = bindingUris({ peerId, blsPublicKey: subject.blsPublicKey, agreementPublicKey: subject.agreementPublicKey, roles })
  const certificate = await x509.X509CertificateGenerator.create({
    serialNumber: randomSerial(options.random ?? defaultRandom),
    subject: `CN=${escapeDn(peerId)}`,
    issuer: ca.anchor.subject,
    notBefore: new Date(notBefore),
    notAfter: new Date(notAfter),
    publicKey: await importEd25519PublicKey(subject.identityPublicKey),
    signingKey: ca.keys.privateKey,
    signingAlgorithm: ED25519,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.SubjectAlternativeNameExtension(uris.map((value) => ({ type: 'url' as const, value }))),
    ],
  })
  return remember({
    serial: certificate.serialNumber,
    peerId,
    identityPublicKey: new Uint8Array(subject.identityPublicKey),
    blsPublicKey: new Uint8Array(subject.blsPublicKey),
    agreementPublicKey: new Uint8Array(subject.agreementPublicKey),
    roles,
    notBeforeMs: notBefore,
    notAfterMs: notAfter,
    der: new Uint8Array(certificate.rawData),
  })
}

export type CredentialProblem =
  'malformed' | 'wrong-issuer' | 'bad-signature' | 'bad-key' | 'bad-binding' | 'not-yet-valid' | 'expired' | 'revoked'

export type CredentialVerdict =
  | { readonly ok: true; readonly credential: Credential }
  | { readonly ok: false; readonly problem: CredentialProblem; readonly reason: string }

/** Anything that can say whether a certificate serial was revoked (see RevocationList). */
export interface RevocationLookup {
  isRevoked(serial: string): boolean
}

/**
 * Checks a DER certificate against the CA: issuer and Ed25519 signature, subject key,
 * binding URIs (PeerId matches the key, known roles, key sizes), validity window at
 * `nowMs` (the CA's too), and the revocation list. Never throws on hostile input.
 */
export async function verifyCredential(
  der: Uint8Array,
  anchor: TrustAnchor,
  nowMs: number,
  revocations?: RevocationLookup,
): Promise<CredentialVerdict> {
  if (der.length === 0 || der.length > MAX_CREDENTIAL_BYTES)
    return refuse('malformed', `certificate is ${der.length} bytes (limit ${MAX_CREDENTIAL_BYTES})`)
  let certificate: x509.X509Certificate
  try {
    certificate = new x509.X509Certificate(der as Uint8Array<ArrayBuffer>)
  } catch (err) {
    return refuse('malformed', `not a DER certificate: ${(err as Error).message}`)
  }
  const exact = exactDerProblem(certificate, der)
  if (exact) return refuse('malformed', exact)
  if (certificate.issuer !== anchor.subject)
    return refuse('wrong-issuer', `issued by '${certificate.issuer.slice(0, 128)}', not by this CA`)
  if (certificate.signatureAlgorithm.name !== ED25519.name)
    return refuse('bad-signature', `signature algorithm is ${certificate.signatureAlgorithm.name}, expected Ed25519`)
  let signed = false
  try {
    signed = await certificate.verify({ publicKey: await anchorKey(anchor), signatureOnly: true })
  } catch {
    signed = false
  }
  if (!signed) return refuse('bad-signature', 'the CA signature does not verify')

  const identityPublicKey = ed25519KeyFromSpki(new Uint8Array(certificate.publicKey.rawData))
  if (!identityPublicKey) return refuse('bad-key', 'the subject key is not Ed25519')

  const names = certificate.getExtension(x509.SubjectAlternativeNameExtension)
  if (!names) return refuse('bad-binding', 'no subject alternative names')
  const parsed = parseBindingUris(names.names.items.filter((name) => name.type === 'url').map((name) => name.value))
  if (!parsed.ok) return refuse('bad-binding', parsed.reason)
  const binding = parsed.binding
  const peerId = peerIdOf(identityPublicKey)
  if (binding.peerId !== peerId) return refuse('bad-binding', 'the binding names a different PeerId than the certificate key')
  const subject = { identityPublicKey, blsPublicKey: binding.blsPublicKey, agreementPublicKey: binding.agreementPublicKey }
  const problem = subjectProblem(subject) ?? rolesProblem(binding.roles)
  if (problem) return refuse('bad-binding', problem)

  const notBeforeMs = certificate.notBefore.getTime()
  const notAfterMs = certificate.notAfter.getTime()
  if (nowMs < notBeforeMs) return refuse('not-yet-valid', `valid from ${new Date(notBeforeMs).toISOString()}`)
  if (nowMs > notAfterMs) return refuse('expired', `expired at ${new Date(notAfterMs).toISOString()}`)
  if (nowMs > anchor.certificate.notAfter.getTime()) return refuse('expired', 'the CA certificate itself has expired')
  if (revocations?.isRevoked(certificate.serialNumber)) return refuse('revoked', `certificate ${certificate.serialNumber} was revoked`)

  return {
    ok: true,
    credential: remember({
      serial: certificate.serialNumber,
      peerId,
      identityPublicKey,
      blsPublicKey: new Uint8Array(binding.blsPublicKey),
      agreementPublicKey: new Uint8Array(binding.agreementPublicKey),
      roles: binding.roles,
      notBeforeMs,
      notAfterMs,
      der: new Uint8Array(der),
    }),
  }
}

/**
 * The parser reads one certificate from the front of its input and ignores the rest, and
 * tolerates non-DER encodings (long-form lengths, extra elements it does not know). The
 * bytes we verify, store and pass on must be exactly the certificate: re-encoding what was
 * parsed must give them back, byte for byte.
 */
function exactDerProblem(certificate: x509.X509Certificate, der: Uint8Array): string | undefined {
  let canonical: Uint8Array
  try {
    const parsed = (certificate as unknown as { asn: ConstructorParameters<typeof x509.X509Certificate>[0] }).asn
    canonical = new Uint8Array(new x509.X509Certificate(parsed).rawData)
  } catch (err) {
    return `certificate does not re-encode: ${(err as Error).message}`
  }
  if (canonical.length !== der.length) return `${der.length} bytes hold a ${canonical.length}-byte certificate (trailing or padded bytes)`
  for (let i = 0; i < der.length; i++) if (canonical[i] !== der[i]) return `not DER: byte ${i} differs from the canonical encoding`
  return undefined
}

const anchorKeys = new WeakMap<TrustAnchor, Promise<CryptoKey>>()

/** The CA key, imported into WebCrypto once per anchor rather than once per certificate. */
function anchorKey(anchor: TrustAnchor): Promise<CryptoKey> {
  let key = anchorKeys.get(anchor)
  if (!key) {
    key = importEd25519PublicKey(anchor.publicKey)
    anchorKeys.set(anchor, key)
  }
  return key
}

function remember(credential: Credential): Credential {
  const frozen = Object.freeze({ ...credential, roles: Object.freeze([...credential.roles]) })
  verified.add(frozen)
  return frozen
}

function refuse(problem: CredentialProblem, reason: string): CredentialVerdict {
  return { ok: false, problem, reason }
}

function subjectProblem(subject: CredentialSubject): string | undefined {
  if (subject.identityPublicKey.length !== 32) return 'identity key is not 32 bytes'
  if (subject.agreementPublicKey.length !== 32) return 'agreement key is not 32 bytes'
  if (subject.blsPublicKey.length !== 48) return 'BLS key is not 48 bytes'
  try {
    const point = bls12_381.G1.Point.fromBytes(subject.blsPublicKey)
    point.assertValidity()
    if (point.is0()) return 'BLS key is the identity point'
  } catch {
    return 'BLS key is not a valid G1 point'
  }
  return undefined
}

function rolesProblem(roles: readonly string[]): string | undefined {
  if (roles.length === 0) return 'no roles'
  const unknown = roles.find((role) => !isRole(role))
  if (unknown !== undefined) return `unknown role '${unknown.slice(0, 32)}'`
  if (new Set(roles).size !== roles.length) return 'a role is listed twice'
  return undefined
}

/** Roles in the table's order, so equal role sets encode identically. */
export function canonicalRoles(roles: readonly Role[]): Role[] {
  return allRoles.filter((role) => roles.includes(role))
}

/** PEM text of a DER certificate (for the relay CLI and for people). */
export function credentialToPem(der: Uint8Array): string {
  return x509.PemConverter.encode(der as Uint8Array<ArrayBuffer>, 'CERTIFICATE')
}

const PEM_CERTIFICATE = /^\s*-----BEGIN CERTIFICATE-----\r?\n([A-Za-z0-9+/=\r\n]+?)\r?\n?-----END CERTIFICATE-----\s*$/

/**
 * DER of the one certificate in PEM text. Throws unless the text is exactly one CERTIFICATE
 * block (whitespace around it allowed) whose base64 is canonical: no second block, no text
 * before or after, no stray characters, nothing the decoder would silently skip.
 */
export function credentialFromPem(pem: string): Uint8Array {
  const match = PEM_CERTIFICATE.exec(pem)
  if (!match) throw new Error('not exactly one PEM CERTIFICATE block (text around it, or a second block, is refused)')
  const base64 = match[1].replace(/\r?\n/g, '')
  let der: Uint8Array
  try {
    der = Uint8Array.from(atob(base64), (c) => c.charCodeAt(0))
  } catch {
    throw new Error('the PEM block is not base64')
  }
  if (der.length === 0 || btoa(String.fromCharCode(...der)) !== base64) throw new Error('the PEM block is not canonical base64')
  return der
}
