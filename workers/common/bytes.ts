// Byte helpers every layer uses, from the libraries that do them well, named once.
export { equals as equalBytes } from 'uint8arrays/equals'
export { bytesToHex as hex, hexToBytes as fromHex } from '@noble/hashes/utils.js'
