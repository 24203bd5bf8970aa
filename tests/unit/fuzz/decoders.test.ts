import { beforeAll, describe, expect, it } from 'vitest'
import { encodeMessage, type Codec } from 'protons-runtime'
import { decodeExact } from '../../../workers/protocol/exact-decode'
import { decodeBftMessage, encodeBftMessage } from '../../../workers/consensus/bft/codec'
import type { BftMessage, Vote } from '../../../workers/consensus/bft/types'
import { decodeRaftMessage, encodeRaftMessage } from '../../../workers/consensus/raft/codec'
import type { RaftMessage } from '../../../workers/consensus/raft/types'
import { decodeCertificate, encodeCertificate, type CommitCertificate } from '../../../workers/consensus/certificate/certificate'
import { decodeUpdate, encodeUpdate } from '../../../workers/fl/update/codec'
import { decodeTransferChunk, TransferError } from '../../../workers/net/transfer'
import { TransferChunk } from '../../../workers/protocol/wire.pb'
import {
  decodeGrantRequest,
  decodeJoinRequest,
  createGrantRequest,
  createJoinRequest,
} from '../../../workers/security/credentials/requests'
import { createRevocation, verifyRevocation } from '../../../workers/security/credentials/revocation'
import { credentialFromPem, credentialToPem, verifyCredential, type Credential } from '../../../workers/security/credentials/credential'
import type { CertificateAuthority } from '../../../workers/security/credentials/ca'
import { openSealed, sealForRecipient } from '../../../workers/security/e2e/seal'
import {
  AdvertiseKeys,
  ConsistencySignature,
  KeyRoster,
  MaskedInput,
  ShareDelivery,
  ShareKeys,
  SurvivorList,
  UnmaskResponse,
} from '../../../workers/secagg/secagg.pb'
import { signingIdentityOf } from '../../../workers/security/keys/derive'
import { x25519 } from '@noble/curves/ed25519.js'
import { DAY, T0, credentialFor, makeAuthority, nodeKeys } from '../security/fixtures'
import { seededBytes } from '../../../workers/common/random'
import { createRng as seededRandom, type Rng as Random } from '../../../workers/common/random'
import { replayHint, simSeeds } from '../../sim/seeds'
import { equalBytes, mutate, randomBytes } from './mutate'

const FILE = 'tests/unit/fuzz/decoders.test.ts'
const SEEDS = simSeeds(8001, 2)

/** One decoder of untrusted bytes: how to call it, and what its answer must look like. */
interface DecoderUnderTest {
  readonly name: string
  readonly casesPerSeed: number
  readonly samples: (random: Random) => Uint8Array[]
  /** Ok with the decoded value's canonical bytes (null when there is no encoder to compare), or a refusal. */
  readonly decode: (bytes: Uint8Array) => Promise<{ ok: true; canonical: Uint8Array | null } | { ok: false; reason: string }>
  /** Whether a mutated sample may still be accepted (true for unsigned formats). */
  readonly mutantsMayPass: boolean
}

const vote = (r: Random, over: Partial<Vote> = {}): Vote => ({
  kind: 'vote',
  height: r.intBetween(1, 1e6),
  round: r.intBetween(0, 9),
  type: 'prevote',
  valueId: randomBytes(r, 32),
  validator: r.intBetween(0, 99),
  commitSignature: new Uint8Array(0),
  signature: randomBytes(r, 64),
  ...over,
})
const certificate = (r: Random): CommitCertificate => ({
  chainId: 'fuzz-chain',
  height: r.intBetween(1, 1e6),
  round: r.intBetween(0, 9),
  valueId: randomBytes(r, 32),
  validatorSetHash: randomBytes(r, 32),
  signers: randomBytes(r, 2),
  aggregateSignature: randomBytes(r, 96),
})

function bftSamples(r: Random): Uint8Array[] {
  const height = r.intBetween(1, 1e6)
  const messages: BftMessage[] = [
    vote(r),
    vote(r, { type: 'precommit', commitSignature: randomBytes(r, 96) }),
    vote(r, { valueId: null }),
    {
      kind: 'proposal',
      height,
      round: 2,
      value: randomBytes(r, r.intBetween(1, 200)),
      validRound: 1,
      proposer: r.intBetween(0, 9),
      justification: [vote(r, { height, round: 1 }), vote(r, { height, round: 1 })],
      signature: randomBytes(r, 64),
    },
    { kind: 'commit', certificate: certificate(r), value: randomBytes(r, 40) },
  ]
  return messages.map(encodeBftMessage)
}

function raftSamples(r: Random): Uint8Array[] {
  const term = r.intBetween(2, 50)
  const messages: RaftMessage[] = [
    {
      type: 'appendEntries',
      term,
      prevLogIndex: 4,
      prevLogTerm: 1,
      leaderCommit: 3,
      entries: [
        { index: 5, term, kind: 'command', command: randomBytes(r, 20), voters: [] },
        { index: 6, term, kind: 'config', command: new Uint8Array(0), voters: ['a', 'b', 'c'] },
      ],
    },
    { type: 'appendEntriesResponse', term, success: false, matchIndex: 0, rejectIndex: 3, conflictIndex: 2, conflictTerm: 1 },
    { type: 'requestVote', term, lastLogIndex: 7, lastLogTerm: 1, preVote: r.chance(0.5) },
    { type: 'requestVoteResponse', term, granted: true, preVote: false },
    { type: 'installSnapshot', term, snapshot: { index: 9, term: 1, voters: ['a', 'b'], data: randomBytes(r, 30) } },
    { type: 'installSnapshotResponse', term, matchIndex: 9 },
  ]
  return messages.map(encodeRaftMessage)
}

function secaggSamples(r: Random): Array<{ codec: Codec<unknown>; bytes: Uint8Array }> {
  const roundId = randomBytes(r, 32) as Uint8Array<ArrayBuffer>
  const advertise = {
    roundId,
    sender: r.intBetween(0, 99),
    encryptionPublicKey: randomBytes(r, 32) as Uint8Array<ArrayBuffer>,
    maskPublicKey: randomBytes(r, 32) as Uint8Array<ArrayBuffer>,
    signature: randomBytes(r, 64) as Uint8Array<ArrayBuffer>,
  }
  const share = { sender: 1, recipient: 2, ciphertext: randomBytes(r, 80) as Uint8Array<ArrayBuffer> }
  const pairs: Array<[Codec<any>, unknown]> = [
    [AdvertiseKeys.codec(), advertise],
    [KeyRoster.codec(), { roundId, keys: [advertise, { ...advertise, sender: 7 }] }],
    [ShareKeys.codec(), { roundId, sender: 3, shares: [share, share], selfSeedCommitment: randomBytes(r, 32) }],
    [ShareDelivery.codec(), { roundId, recipient: 2, shares: [share] }],
    [MaskedInput.codec(), { roundId, sender: 4, length: 10, masked: randomBytes(r, 40) }],
    [SurvivorList.codec(), { roundId, survivors: [0, 1, 2, 5] }],
    [ConsistencySignature.codec(), { roundId, sender: 2, signature: randomBytes(r, 64) }],
    [UnmaskResponse.codec(), { roundId, sender: 1, selfSeedShares: [], maskKeyShares: [] }],
  ]
  return pairs.map(([codec, value]) => ({ codec, bytes: encodeMessage(value as never, codec) }))
}

let ca: CertificateAuthority
let credential: Credential
let revocation: Uint8Array
let grant: Uint8Array
const recipientSecret = x25519.utils.randomSecretKey()
const recipientPublic = x25519.getPublicKey(recipientSecret)
const sealContext = { purpose: 'fuzz', round: 3, sender: new Uint8Array(32).fill(9) }

const decoders: DecoderUnderTest[] = [
  {
    name: 'BFT messages',
    casesPerSeed: 8_000,
    samples: bftSamples,
    decode: async (bytes) => {
      const d = decodeBftMessage(bytes)
      return d.ok ? { ok: true, canonical: encodeBftMessage(d.message) } : d
    },
    mutantsMayPass: true,
  },
  {
    name: 'Raft messages',
    casesPerSeed: 8_000,
    samples: raftSamples,
    decode: async (bytes) => {
      const d = decodeRaftMessage(bytes)
      return d.ok ? { ok: true, canonical: encodeRaftMessage(d.message) } : d
    },
    mutantsMayPass: true,
  },
  {
    name: 'commit certificates',
    casesPerSeed: 4_000,
    samples: (r) => [encodeCertificate(certificate(r))],
    decode: async (bytes) => {
      const d = decodeCertificate(bytes)
      return d.ok ? { ok: true, canonical: encodeCertificate(d.certificate) } : d
    },
    mutantsMayPass: true,
  },
  {
    name: 'secure-aggregation messages',
    casesPerSeed: 8_000,
    samples: (r) => secaggSamples(r).map((s) => tagged(s.codec, s.bytes)),
    decode: async (tagged) => {
      const { codec, bytes } = untag(tagged)
      try {
        return { ok: true, canonical: Uint8Array.from([tagged[0], ...encodeMessage(decodeExact(bytes, codec) as never, codec)]) }
      } catch (err) {
        return { ok: false, reason: (err as Error).message }
      }
    },
    mutantsMayPass: true,
  },
  {
    name: 'model updates',
    casesPerSeed: 4_000,
    samples: (r) => {
      const delta = Float32Array.from({ length: 24 }, () => r.next() - 0.5)
      const update = {
        round: r.intBetween(1, 99),
        baseModelHash: randomBytes(r, 32),
        sampleCount: r.intBetween(1, 500),
        shapes: [
          { name: 'dense/kernel', shape: [4, 5] },
          { name: 'dense/bias', shape: [4] },
        ],
        delta,
        clipNorm: 1,
      }
      return [encodeUpdate(update), encodeUpdate(update, 'float16'), encodeUpdate(update, 'int8')]
    },
    decode: async (bytes) => {
      const d = decodeUpdate(bytes)
      return d.ok ? { ok: true, canonical: null } : d
    },
    mutantsMayPass: true,
  },
  {
    name: 'transfer chunk frames',
    casesPerSeed: 6_000,
    samples: (r) => [
      TransferChunk.encode({ index: r.intBetween(0, 99), data: randomBytes(r, r.intBetween(1, 300)) as Uint8Array<ArrayBuffer> }),
    ],
    decode: async (bytes) => {
      try {
        const frame = decodeTransferChunk(bytes)
        return { ok: true, canonical: TransferChunk.encode(frame) }
      } catch (err) {
        if (!(err instanceof TransferError)) throw err
        return { ok: false, reason: err.message }
      }
    },
    mutantsMayPass: true,
  },
  {
    name: 'join requests',
    casesPerSeed: 3_000,
    samples: () => [createJoinRequest(nodeKeys(70))],
    decode: async (bytes) => {
      const d = decodeJoinRequest(bytes)
      return d.ok ? { ok: true, canonical: null } : d
    },
    mutantsMayPass: true,
  },
  {
    name: 'grant requests',
    casesPerSeed: 2_000,
    samples: () => [grant],
    decode: async (bytes) => {
      const d = decodeGrantRequest(bytes)
      return d.ok ? { ok: true, canonical: null } : d
    },
    mutantsMayPass: true,
  },
  {
    name: 'revocations',
    casesPerSeed: 1_000,
    samples: () => [revocation],
    decode: async (bytes) => {
      const d = verifyRevocation(bytes, ca.anchor)
      return d.ok ? { ok: true, canonical: null } : d
    },
    // Signed by the CA: no change survives.
    mutantsMayPass: false,
  },
  {
    name: 'sealed boxes',
    casesPerSeed: 1_000,
    samples: (r) => [sealForRecipient(randomBytes(r, r.intBetween(1, 2000)), recipientPublic, sealContext)],
    decode: async (bytes) => {
      const d = openSealed(bytes, recipientSecret, sealContext)
      return d.ok ? { ok: true, canonical: null } : d
    },
    // Authenticated encryption: no change survives.
    mutantsMayPass: false,
  },
  {
    name: 'credential certificates (DER)',
    casesPerSeed: 400,
    samples: () => [credential.der],
    decode: async (bytes) => {
      const d = await verifyCredential(bytes, ca.anchor, T0)
      return d.ok ? { ok: true, canonical: d.credential.der } : d
    },
    // Signed by the CA: no change survives.
    mutantsMayPass: false,
  },
  {
    name: 'credential certificates (PEM)',
    casesPerSeed: 1_000,
    samples: () => [new TextEncoder().encode(credentialToPem(credential.der))],
    decode: async (bytes) => {
      try {
        const der = credentialFromPem(new TextDecoder().decode(bytes))
        const d = await verifyCredential(der, ca.anchor, T0)
        return d.ok ? { ok: true, canonical: null } : d
      } catch (err) {
        return { ok: false, reason: (err as Error).message }
      }
    },
    // A mutation inside whitespace around the block may leave the same certificate.
    mutantsMayPass: true,
  },
]

// The secure-aggregation codecs travel with their bytes through the shared `decode` signature.
const codecsByTag = new Map<number, Codec<unknown>>()
function tagged(codec: Codec<unknown>, bytes: Uint8Array): Uint8Array {
  let tag = [...codecsByTag].find(([, c]) => c === codec)?.[0]
  if (tag === undefined) codecsByTag.set((tag = codecsByTag.size), codec)
  return Uint8Array.from([tag, ...bytes])
}
function untag(bytes: Uint8Array): { codec: Codec<unknown>; bytes: Uint8Array } {
  return { codec: codecsByTag.get(bytes[0] % codecsByTag.size)!, bytes: bytes.subarray(1) }
}

describe('fuzz: every other decoder of untrusted bytes', () => {
  beforeAll(async () => {
    ca = await makeAuthority()
    credential = await credentialFor(ca, nodeKeys(71), ['trainer', 'worker'])
    const admin = await credentialFor(ca, nodeKeys(72), ['admin'])
    revocation = await createRevocation(ca, { serial: credential.serial, revokedAtMs: T0, reason: 'fuzz' })
    grant = createGrantRequest({
      adminCertificate: admin.der,
      admin: signingIdentityOf(nodeKeys(72)),
      subjectCertificate: credential.der,
      roles: ['validator'],
      notAfterMs: T0 + DAY,
      requestedAtMs: T0,
      nonce: seededBytes(4)(16),
    })
  })

  it('never throws, refuses with a reason, accepts only input it consumes exactly', async () => {
    const started = performance.now()
    const counts: Record<string, number> = {}
    for (const seed of SEEDS) {
      const random = seededRandom(seed)
      for (const decoder of decoders) {
        const samples = decoder.samples(random)
        for (const sample of samples) {
          const verdict = await decoder.decode(sample)
          if (!verdict.ok) expect.fail(`${decoder.name}: an honest sample is refused: ${verdict.reason}`)
          if (verdict.canonical && !equalBytes(verdict.canonical, sample))
            expect.fail(`${decoder.name}: an honest sample does not re-encode to itself`)
        }
        for (let i = 0; i < decoder.casesPerSeed; i++) {
          const sample = random.pick(samples)
          const input = random.chance(0.08)
            ? decoder.name.includes('secure')
              ? Uint8Array.from([sample[0], ...randomBytes(random, random.intBetween(0, 200))])
              : randomBytes(random, random.intBetween(0, 300))
            : mutate(random, sample, random.pick(samples)).bytes
          const where = `${replayHint(seed, FILE)}\n${decoder.name}, case ${i}: ${Buffer.from(input).toString('hex').slice(0, 160)}`
          let verdict
          try {
            verdict = await decoder.decode(input)
          } catch (err) {
            expect.fail(`${where}\nthe decoder threw: ${String((err as Error)?.stack ?? err)}`)
          }
          if (!verdict.ok) {
            if (typeof verdict.reason !== 'string' || verdict.reason.length === 0) expect.fail(`${where}\nrefused without a reason`)
          } else if (samples.some((s) => equalBytes(s, input))) {
            // The mutation happened to give back a valid sample.
          } else {
            if (!decoder.mutantsMayPass) expect.fail(`${where}\na changed signed or sealed input was accepted`)
            if (verdict.canonical && !equalBytes(verdict.canonical, input))
              expect.fail(`${where}\naccepted input that is not its own canonical encoding`)
          }
          counts[decoder.name] = (counts[decoder.name] ?? 0) + 1
        }
      }
    }
    const total = Object.values(counts).reduce((a, b) => a + b, 0)
    console.log(
      `[fuzz] decoders: ${total} cases in ${((performance.now() - started) / 1000).toFixed(1)} s (seeds ${SEEDS.join(', ')}) ${JSON.stringify(counts)}`,
    )
    if (!process.env.SIM_SEED) expect(total).toBe(SEEDS.length * decoders.reduce((n, d) => n + d.casesPerSeed, 0))
  })
})
