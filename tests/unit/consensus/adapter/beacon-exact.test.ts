import { describe, expect, it } from 'vitest'
import { encodeMessage } from 'protons-runtime'
import { decodeBeacon } from '../../../../workers/consensus/adapter'
import { BeaconRecord } from '../../../../workers/consensus/adapter/beacon.pb'

describe('beacon values decode exactly (issue 15)', () => {
  const record = { height: 7n, previousValueId: new Uint8Array(32).fill(1), proposer: 'v1', timeMs: 1_700_000_000_000n }
  const honest = encodeMessage(record, BeaconRecord.codec())

  it('reads the honest bytes and refuses appended, duplicated or padded fields', () => {
    expect(decodeBeacon(honest)).toMatchObject({ height: 7, proposer: 'v1' })
    const variants = {
      appendedUnknownField: Uint8Array.from([...honest, 0x78, 0x01]),
      duplicatedHeight: Uint8Array.from([...honest, 0x08, 0x09]),
      trailingByte: Uint8Array.from([...honest, 0x00]),
    }
    for (const [name, bytes] of Object.entries(variants)) expect(decodeBeacon(bytes), name).toMatch(/not a beacon record/)
  })
})
