export type { SignatureScheme, ValidatorSigner } from './scheme'
export {
  createRealScheme,
  createRealSigner,
  createSignerFromKeys,
  nobleBlsBackend,
  type BlsVoteBackend,
  type RealSignerOptions,
  type RealSignerSeeds,
  type RealSchemeOptions,
} from './real-scheme'
export { loadRealScheme, loadWasmBls } from './wasm-bls'
export { createValidatorSet, MAX_VALIDATORS, type Validator, type ValidatorSet, type ValidatorSetResult } from './validator-set'
export { commitSignBytes } from './sign-bytes'
export {
  bitmapSigners,
  buildCertificate,
  decodeCertificate,
  encodeCertificate,
  signerBitmap,
  verifyCertificate,
  type CertificateExpectation,
  type CertificateVote,
  type CommitCertificate,
  type Verdict,
} from './certificate'
export { DEFAULT_SET_CHANGE_DELAY, ValidatorChain, type SetChange } from './validator-chain'
