// The security layer's public surface (issue 6). See each module for details.
export { roles, selfServiceRoles, isRole, type Role } from '../protocol/roles'

export {
  generateMnemonic,
  mnemonicFromEntropy,
  entropyFromMnemonic,
  isValidMnemonic,
  normalizeMnemonic,
  seedFromMnemonic,
  seedFromMnemonicSync,
} from './keys/mnemonic'
export {
  deriveNodeKeys,
  libp2pRawPrivateKey,
  peerIdOf,
  signingIdentityOf,
  slip10Ed25519,
  identityPath,
  agreementPath,
  votingPath,
  type NodeKeys,
  type KeyPair,
} from './keys/derive'
export { blsProofOfPossession, verifyBlsProofOfPossession } from './keys/bls-pop'

export {
  createCertificateAuthority,
  exportCertificateAuthority,
  importCertificateAuthority,
  trustAnchorFromCertificate,
  type CertificateAuthority,
  type TrustAnchor,
  type ExportedAuthority,
} from './credentials/ca'
export {
  issueCredential,
  verifyCredential,
  isVerifiedCredential,
  credentialToPem,
  credentialFromPem,
  type Credential,
  type CredentialVerdict,
  type CredentialProblem,
  type RevocationLookup,
} from './credentials/credential'
export { createRevocation, verifyRevocation, RevocationList, type RevocationRecord } from './credentials/revocation'
export { createJoinRequest, decodeJoinRequest, createGrantRequest, decodeGrantRequest } from './credentials/requests'
export { IssuancePolicy, defaultIssuancePolicy, type IssuancePolicyConfig, type IssueDecision } from './credentials/policy'
export { CredentialAuthority, type AuthorityResult } from './credentials/authority'
export { CredentialRegistry } from './credentials/registry'
export { CredentialGrant, GrantRequest, JoinRequest, Revocation } from './credentials/credentials.pb'

export { securityKinds } from './kinds'
export { authorize, type Authorization } from './rbac/authorize'
export { checkSender, type SenderCheck, type SenderProblem } from './rbac/check-sender'

export { AuditLog } from './audit/log'
export {
  auditEvents,
  signCheckpoint,
  encodeCheckpoint,
  decodeCheckpoint,
  type AuditEvent,
  type AuditRecord,
  type AuditFields,
  type AuditCheckpoint,
} from './audit/entry'
export { verifyAuditChain, type AuditVerdict, type AuditProblem } from './audit/verify'
export { readAll, type AuditStore } from './audit/store'
export { exportAuditLog, auditRecordToJson, parseAuditJsonLines } from './audit/jsonl'
export { DexieAuditStore, dexieAuditSchema, type AuditRow } from './audit/dexie-store'

export { sealForRecipient, openSealed, createSealer, createOpener, type SealContext, type OpenResult } from './e2e/seal'

// Wiring shared by relay, browser and Node peers.
export { PeerCredentials, type PeerCredentialEvents } from './wiring/peer-credentials'
export { RejectAuditor, type RejectAuditOptions } from './wiring/reject-auditor'
export { consensusDecisionEntry, modelAdoptionEntry } from './wiring/audit-hooks'
