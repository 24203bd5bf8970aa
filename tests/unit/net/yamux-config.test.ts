import { describe, expect, it } from 'vitest'
import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream'
import { installHalfWindowUpdates } from '../../../workers/net/yamux-config'
import { loopbackNode } from './loopback-node'

const WINDOW = 256 * 1024
/** 8,000 messages of 1,000 bytes: 30 initial windows. */
const TOTAL = 8_000_000

/** The fields of a yamux stream that sendWindowUpdate reads, with the frames it sends recorded. */
function streamState(state: StreamState, consumed: number) {
  const frames: { type: number; flag: number; length: number }[] = []
  const stream = {
    state,
    recvWindow: WINDOW,
    recvWindowCapacity: WINDOW - consumed,
    maxStreamWindowSize: 16 * 2 ** 20,
    epochStart: Date.now(),
    streamId: 1,
    getRTT: () => -1,
    getSendFlags: YamuxStream.prototype['getSendFlags' as keyof YamuxStream],
    sendFrame: (frame: { type: number; flag: number; length: number }) => frames.push(frame),
  }
  const update = () => (YamuxStream.prototype as unknown as { sendWindowUpdate(this: unknown): void }).sendWindowUpdate.call(stream)
  return { stream, frames, update }
}

describe('yamux window updates at half the window', () => {
  installHalfWindowUpdates()

  it('sends no update while more than half the window is open, then one for all that was consumed', () => {
    const early = streamState(StreamState.Established, 1_000)
    early.update()
    expect(early.frames).toEqual([])

    const half = streamState(StreamState.Established, WINDOW / 2)
    half.update()
    expect(half.frames).toHaveLength(1)
    expect(half.frames[0].length).toBe(WINDOW / 2)
    expect(half.stream.recvWindowCapacity).toBe(WINDOW)
  })

  it('still answers a stream being opened (its ACK rides on the update) whatever was consumed', () => {
    const opening = streamState(StreamState.SYNReceived, 10)
    opening.update()
    expect(opening.frames).toHaveLength(1)
    expect(opening.stream.state).toBe(StreamState.Established)
  })

  it('moves far more than a window over a real connection without stalling', async () => {
    const server = await loopbackNode(81, { listen: true })
    const client = await loopbackNode(82, { listen: false })
    try {
      let received = 0
      const done = new Promise<void>((resolve) =>
        server.handle('/agent-mesh-test/bulk/1.0.0', (stream) => {
          stream.addEventListener('message', (event) => {
            received += event.data.byteLength
            if (received >= TOTAL) resolve()
          })
        }),
      )
      await client.dial(server.getMultiaddrs()[0])
      const stream = await client.dialProtocol(server.peerId, '/agent-mesh-test/bulk/1.0.0')
      // Small messages, as gossip sends them: many frames per window.
      const message = new Uint8Array(1_000)
      for (let sent = 0; sent < TOTAL; sent += message.length)
        if (!stream.send(message)) await new Promise((r) => stream.addEventListener('drain', r, { once: true }))
      await done
      expect(received).toBe(TOTAL)
    } finally {
      await Promise.all([client.stop(), server.stop()])
    }
  }, 60_000)
})
