import { describe, expect, it } from 'vitest'
import { BLS_POP_DST, BLS_VOTE_DST, signingDomains, withDomain } from '../../../workers/common/domains'

describe('signing domains', () => {
  it('gives every purpose its own tag, none a prefix of another', () => {
    const tags = [...Object.values(signingDomains), BLS_POP_DST, BLS_VOTE_DST]
    expect(new Set(tags).size).toBe(tags.length)
    for (const a of tags) for (const b of tags) if (a !== b) expect(b.startsWith(a), `${a} prefixes ${b}`).toBe(false)
  })

  it('prefixes the tag and a NUL, so no body can be read under another domain', () => {
    const body = new Uint8Array([1, 2, 3])
    const bytes = withDomain('envelope', body)
    expect(new TextDecoder().decode(bytes.subarray(0, bytes.length - 4))).toBe(signingDomains.envelope)
    expect([...bytes.subarray(-4)]).toEqual([0, 1, 2, 3])
    expect(withDomain('grant', body)).not.toEqual(bytes)
  })
})
