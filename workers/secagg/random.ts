/**
 * Randomness is injected into the protocol cores so they stay pure: production passes
 * `cryptoRandomSource`, tests pass `seededBytes(seed)` from workers/common/random.ts and get reproducible keys and seeds.
 * (The Shamir library draws its polynomial coefficients from its own CSPRNG; that is the only
 * randomness a core does not take from its source, and it never changes what a round computes.)
 */
export type RandomSource = (byteLength: number) => Uint8Array

/** The platform CSPRNG (WebCrypto in browsers and Node), in calls of at most 65,536 bytes. */
export const cryptoRandomSource: RandomSource = (byteLength) => {
  const out = new Uint8Array(byteLength)
  for (let offset = 0; offset < byteLength; offset += 65_536) {
    globalThis.crypto.getRandomValues(out.subarray(offset, Math.min(byteLength, offset + 65_536)))
  }
  return out
}
