import type { Rng as Random } from '../../../workers/common/random'

/**
 * Hostile byte strings derived from valid ones, for the fuzz suites. Each mutation is one
 * trick a real attacker uses on a length-prefixed binary format; `mutate` picks one (or
 * stacks a few) from the seeded stream, so a failing case replays from its seed.
 */
export function randomBytes(random: Random, length: number): Uint8Array {
  const out = new Uint8Array(length)
  // One draw from the seeded stream seeds a xorshift for the bulk: large inputs stay cheap.
  let x = random.intBetween(1, 2 ** 32 - 1)
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x ^= x >>> 17
    x ^= x << 5
    out[i] = x & 0xff
  }
  return out
}

function varint(n: number): number[] {
  const out: number[] = []
  do {
    let byte = n & 0x7f
    n = Math.floor(n / 128)
    if (n > 0) byte |= 0x80
    out.push(byte)
  } while (n > 0)
  return out
}

/** A protobuf field with a random number and wire type: what a newer or hostile encoder adds. */
export function protobufField(random: Random): number[] {
  const field = random.pick([1, 2, 3, 5, 7, 9, 15, 16, 31, 100, 536870911])
  const wireType = random.pick([0, 1, 2, 5])
  const key = varint(field * 8 + wireType)
  if (wireType === 0) return [...key, ...varint(random.intBetween(0, 2 ** 31))]
  if (wireType === 1) return [...key, ...randomBytes(random, 8)]
  if (wireType === 5) return [...key, ...randomBytes(random, 4)]
  const length = random.intBetween(0, 40)
  return [...key, ...varint(length), ...randomBytes(random, length)]
}

export const mutationNames = [
  'flip-bit',
  'set-byte',
  'insert-bytes',
  'delete-bytes',
  'truncate',
  'append-random',
  'append-field',
  'duplicate-prefix',
  'length-lie',
  'pad-varint',
  'splice',
  'repeat-whole',
] as const
export type MutationName = (typeof mutationNames)[number]

/** One mutation of `input` (never returns the same bytes for non-empty input, except by rare chance). */
export function mutateOnce(random: Random, input: Uint8Array, other?: Uint8Array): { bytes: Uint8Array; mutation: MutationName } {
  const mutation = random.pick(mutationNames)
  const bytes = [...input]
  const at = () => random.intBetween(0, Math.max(0, bytes.length - 1))
  switch (mutation) {
    case 'flip-bit':
      if (bytes.length) bytes[at()] ^= 1 << random.intBetween(0, 7)
      break
    case 'set-byte':
      if (bytes.length) bytes[at()] = random.pick([0x00, 0x01, 0x7f, 0x80, 0xff, random.intBetween(0, 255)])
      break
    case 'insert-bytes':
      bytes.splice(at(), 0, ...randomBytes(random, random.intBetween(1, 8)))
      break
    case 'delete-bytes':
      bytes.splice(at(), random.intBetween(1, 8))
      break
    case 'truncate':
      bytes.length = random.intBetween(0, Math.max(0, bytes.length - 1))
      break
    case 'append-random':
      bytes.push(...randomBytes(random, random.pick([1, 2, 3, 16, 300, 3000])))
      break
    case 'append-field':
      bytes.push(...protobufField(random))
      break
    case 'duplicate-prefix':
      // Repeats the first field-sized chunk at the end: protobuf keeps the last copy of a scalar.
      bytes.push(...bytes.slice(0, random.intBetween(1, Math.min(40, Math.max(1, bytes.length)))))
      break
    case 'length-lie': {
      // Finds a plausible length byte and makes it claim more or less than follows.
      const i = at()
      bytes[i] = random.pick([0x00, 0x7f, 0xff, (bytes[i] + random.intBetween(1, 5)) & 0xff, (bytes[i] - random.intBetween(1, 5)) & 0xff])
      if (random.chance(0.3)) bytes.splice(i + 1, 0, 0xff, 0xff, 0xff, 0xff, 0x0f)
      break
    }
    case 'pad-varint': {
      // A varint written longer than needed: same value, different bytes.
      const i = at()
      if (bytes.length && bytes[i] < 0x80) bytes.splice(i, 1, bytes[i] | 0x80, 0x00)
      else bytes.push(0x08, 0x81, 0x00)
      break
    }
    case 'splice':
      if (other && other.length) {
        const from = random.intBetween(0, other.length - 1)
        bytes.splice(at(), random.intBetween(0, 16), ...other.subarray(from, from + random.intBetween(1, 64)))
      } else bytes.reverse()
      break
    case 'repeat-whole':
      bytes.push(...input)
      break
  }
  return { bytes: Uint8Array.from(bytes), mutation }
}

/** One to three stacked mutations. */
export function mutate(random: Random, input: Uint8Array, other?: Uint8Array): { bytes: Uint8Array; mutations: MutationName[] } {
  let bytes = input
  const mutations: MutationName[] = []
  const rounds = random.chance(0.7) ? 1 : random.intBetween(2, 3)
  for (let i = 0; i < rounds; i++) {
    const step = mutateOnce(random, bytes, other)
    bytes = step.bytes
    mutations.push(step.mutation)
  }
  return { bytes, mutations }
}

export { equalBytes } from '../../../workers/common/bytes'

/** Runs `count` cases per seed, naming the seed in any failure. */
export function fuzzCaseLabel(seed: number, index: number, what: string): string {
  return `seed ${seed}, case ${index}: ${what}`
}
