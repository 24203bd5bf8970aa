import { describe, expect, it } from 'vitest'
import { meshMessageId, meshMessageIdWith } from '../../../workers/net/gossip-config'
import { nodeSha256 } from '../../../workers/protocol/node/sha256'

// Gossip message ids travel between peers (IHAVE / IWANT): a relay hashing with node:crypto and a
// browser with WebCrypto must compute the same id for the same message, and different ones otherwise.
describe('gossip message ids', () => {
  it('are the same with node:crypto as with WebCrypto, and depend on topic and bytes', async () => {
    const fast = meshMessageIdWith(nodeSha256)
    const data = new Uint8Array(1000).map((_, i) => (i * 7) & 0xff)
    for (const message of [
      { topic: 'agent-mesh/task.result/1', data },
      { topic: 'agent-mesh/raft.message/1', data: new Uint8Array(0) },
      { topic: '', data: data.subarray(3, 900) },
    ])
      expect(fast(message)).toEqual(await meshMessageId(message))
    const base = fast({ topic: 'a', data })
    expect(fast({ topic: 'b', data })).not.toEqual(base)
    expect(fast({ topic: 'a', data: data.subarray(1) })).not.toEqual(base)
    // The topic's length is framed: moving a byte between topic and data changes the id.
    expect(fast({ topic: 'ab', data: new Uint8Array([1]) })).not.toEqual(fast({ topic: 'a', data: new Uint8Array([98, 1]) }))
  })
})
