export type RandomBytes = (n: number) => Uint8Array

export const defaultRandom: RandomBytes = (n) => crypto.getRandomValues(new Uint8Array(n))

/** 16 random bytes as a positive DER integer in hex whose first byte is never zero, so the hex survives a DER round trip unchanged. */
export function randomSerial(random: RandomBytes): string {
  const bytes = random(16)
  bytes[0] = 0x40 | (bytes[0] & 0x3f)
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')
}
