import { bytesToHex } from '@noble/hashes/utils.js'
import { equalBytes } from '../../common/bytes'
import { createRealScheme, createRealSigner, nobleBlsBackend, type BlsVoteBackend, type RealSchemeOptions } from './real-scheme'
import type { SignatureScheme } from './scheme'
import { BLS_POP_DST, BLS_VOTE_DST, blsPossessionMessage } from '../../common/domains'
import { bls12_381 } from '@noble/curves/bls12-381.js'

/**
 * BLS votes through herumi's BLS compiled to WebAssembly (npm bls-eth-wasm; runs in Node
 * and browsers), about 6x faster than @noble's pure JS on this machine for the work one
 * validator does per decision (sign a precommit, aggregate a quorum, verify it once). It
 * implements the Ethereum ciphersuite, whose hash-to-curve tag is our BLS_VOTE_DST, with the
 * same encodings: its signatures are byte-identical to @noble's, which loading checks.
 * Signatures and public keys are checked to lie in their subgroups when decoded. Proofs of
 * possession (a pairing check per validator whenever a node builds a set) run here too, about
 * 4x faster than @noble's (8 against 30 ms here).
 */
/** setDstG2 (mclBnG2_setDst) is exported at run time but missing from the package's types; loading checks it works. */
type Herumi = typeof import('bls-eth-wasm') & { setDstG2(dst: Uint8Array): void }
type HerumiPublicKey = InstanceType<Herumi['PublicKey']>
type HerumiSignature = InstanceType<Herumi['Signature']>

const EMPTY = new Uint8Array(0)
const POP_TAG = new TextEncoder().encode(BLS_POP_DST)
const VOTE_TAG = new TextEncoder().encode(BLS_VOTE_DST)
const MAX_CACHED_KEYS = 4096

let loading: Promise<BlsVoteBackend> | null = null

/** Loads the WebAssembly module once (per process or page) and returns its backend; rejects if it disagrees with @noble. */
export function loadWasmBls(): Promise<BlsVoteBackend> {
  loading ??= load().catch((error) => {
    loading = null
    throw error
  })
  return loading
}

/**
 * The production scheme with the WebAssembly BLS backend where it loads (Node and every browser
 * with WebAssembly), else @noble's: the same answers either way, only the time differs.
 */
export async function loadRealScheme(
  options: Omit<RealSchemeOptions, 'bls'> = {},
): Promise<{ scheme: SignatureScheme; bls?: BlsVoteBackend }> {
  const bls = await loadWasmBls().catch(() => undefined)
  return { scheme: createRealScheme({ ...options, bls }), bls }
}

async function load(): Promise<BlsVoteBackend> {
  const imported = (await import('bls-eth-wasm')) as Herumi & { default?: Herumi }
  const herumi = imported.default ?? imported
  await herumi.init(herumi.BLS12_381)
  herumi.verifySignatureOrder(true)
  herumi.verifyPublicKeyOrder(true)
  const backend = wasmBackend(herumi)
  selfCheck(backend)
  return backend
}

function wasmBackend(herumi: Herumi): BlsVoteBackend {
  const keys = new Map<string, HerumiPublicKey | null>()
  const publicKey = (voteKey: Uint8Array): HerumiPublicKey | null => {
    const id = bytesToHex(voteKey)
    let key = keys.get(id)
    if (key === undefined) {
      key = new herumi.PublicKey()
      try {
        key.deserialize(voteKey)
        if (key.isZero()) key = null
      } catch {
        key = null
      }
      if (keys.size >= MAX_CACHED_KEYS) keys.clear()
      keys.set(id, key)
    }
    return key
  }
  const signature = (bytes: Uint8Array): HerumiSignature | null => {
    if (bytes.length !== 96) return null
    const s = new herumi.Signature()
    try {
      s.deserialize(bytes)
      return s
    } catch {
      return null
    }
  }
  return {
    name: 'bls12-381 (herumi wasm)',
    sign(secretKey, message) {
      const sk = new herumi.SecretKey()
      sk.deserialize(secretKey)
      return sk.sign(message).serialize()
    },
    verify(voteKey, message, bytes) {
      const key = publicKey(voteKey)
      const s = signature(bytes)
      if (!key || !s) return false
      try {
        return key.verify(s, message)
      } catch {
        return false
      }
    },
    aggregate(signatures) {
      const decoded: HerumiSignature[] = []
      for (const bytes of signatures) {
        const s = signature(bytes)
        if (!s) return EMPTY
        decoded.push(s)
      }
      if (decoded.length === 0) return EMPTY
      // Summed one by one: Signature.aggregate's return value is not meaningful in this build.
      const [sum, ...rest] = decoded
      try {
        for (const s of rest) sum.add(s)
        return sum.serialize()
      } catch {
        return EMPTY
      }
    },
    verifyPossession(voteKey, message, proof) {
      const key = publicKey(voteKey)
      const s = signature(proof)
      if (!key || !s) return false
      // herumi hashes to G2 under one process-wide tag: switched for this synchronous call only,
      // and back before anything else runs, so no vote is ever hashed under the proofs' tag.
      herumi.setDstG2(POP_TAG)
      try {
        return key.verify(s, message)
      } catch {
        return false
      } finally {
        herumi.setDstG2(VOTE_TAG)
      }
    },
    verifyAggregate(voteKeys, message, bytes) {
      if (voteKeys.length === 0) return false
      const decodedKeys: HerumiPublicKey[] = []
      for (const k of voteKeys) {
        const key = publicKey(k)
        if (!key) return false
        decodedKeys.push(key)
      }
      const s = signature(bytes)
      if (!s) return false
      try {
        return s.fastAggregateVerify(decodedKeys, message)
      } catch {
        return false
      }
    },
  }
}

/** The two implementations must agree on every byte, or certificates made by one would not verify under the other. */
function selfCheck(wasm: BlsVoteBackend): void {
  const noble = nobleBlsBackend()
  const { secretKey, publicKey } = bls12_381.longSignatures.keygen(new Uint8Array(48).fill(42))
  const voteKey = publicKey.toBytes()
  const message = new TextEncoder().encode('agent-mesh wasm bls self-check')
  const fromWasm = wasm.sign(secretKey, message)
  if (!equalBytes(fromWasm, noble.sign(secretKey, message)))
    throw new Error('bls-eth-wasm signs differently from @noble (hash-to-curve tag or encoding changed)')
  if (!wasm.verify(voteKey, message, fromWasm) || wasm.verify(voteKey, new Uint8Array(1), fromWasm))
    throw new Error('bls-eth-wasm verification is broken')
  const signer = createRealSigner({ identitySeed: new Uint8Array(32).fill(7), voteSeed: new Uint8Array(48).fill(42) })
  const possession = blsPossessionMessage(signer.voteKey, signer.identityKey)
  const proof = signer.proofOfPossession()
  const voteOverPossession = wasm.sign(secretKey, possession)
  if (!wasm.verifyPossession(signer.voteKey, possession, proof) || wasm.verifyPossession(signer.voteKey, possession, voteOverPossession))
    throw new Error('bls-eth-wasm checks proofs of possession differently from @noble (its hash-to-curve tag did not switch)')
  if (!wasm.verify(voteKey, message, fromWasm)) throw new Error("bls-eth-wasm did not return to the votes' hash-to-curve tag")
}
