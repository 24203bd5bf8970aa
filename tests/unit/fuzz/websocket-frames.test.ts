import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { connect } from 'node:net'
import { createLibp2p, type Libp2p } from 'libp2p'
import { noise } from '@chainsafe/libp2p-noise'
import { meshYamux } from '../../../workers/net/yamux-config'
import { webSockets } from '@libp2p/websockets'
import { relayWebSockets } from '../../../relay/ws-handshake'
import { createRng as seededRandom, type Rng as Random } from '../../../workers/common/random'
import { replayHint, simSeeds } from '../../sim/seeds'
import { randomBytes } from './mutate'

const FILE = 'tests/unit/fuzz/websocket-frames.test.ts'
const CONNECTIONS_PER_SEED = 400
const SEEDS = simSeeds(9101, 2)
const PARALLEL = 16
/** A connection the relay has not closed by then is closed by the client (a length that lies waits for bytes forever). */
const IDLE_MS = 250

const UPGRADE =
  'GET / HTTP/1.1\r\nHost: relay\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n'

/** One WebSocket frame, well-formed or not: any FIN/RSV/opcode, masked or not, true or lying length. */
function hostileFrame(r: Random): Uint8Array {
  const opcode = r.chance(0.6) ? r.pick([0x0, 0x1, 0x2, 0x8, 0x9, 0xa]) : r.intBetween(0, 15)
  const fin = r.chance(0.8) ? 0x80 : 0
  const rsv = r.chance(0.85) ? 0 : r.intBetween(1, 7) << 4
  const masked = r.chance(0.8)
  const payload = randomBytes(r, r.chance(0.9) ? r.intBetween(0, 200) : r.intBetween(126, 70_000))
  const declared = r.chance(0.85) ? payload.length : r.pick([0, 125, 126, 65_535, 65_536, 2 ** 31, 2 ** 40, r.intBetween(0, 1 << 20)])
  const header = [fin | rsv | opcode]
  const maskBit = masked ? 0x80 : 0
  const form = r.chance(0.1) ? r.intBetween(0, 2) : declared < 126 ? 0 : declared < 65_536 ? 1 : 2
  if (form === 0) header.push(maskBit | Math.min(declared, 125))
  else if (form === 1) header.push(maskBit | 126, (declared >> 8) & 0xff, declared & 0xff)
  else {
    header.push(maskBit | 127)
    const high = Math.floor(declared / 2 ** 32)
    for (const word of [high, declared >>> 0]) header.push((word >>> 24) & 0xff, (word >>> 16) & 0xff, (word >>> 8) & 0xff, word & 0xff)
  }
  if (masked) header.push(...randomBytes(r, 4))
  return Uint8Array.from([...header, ...payload])
}

/** Upgrades by hand, sends the frames (in one write or piecewise), and resolves when either side ends the connection. */
function hostileConnection(port: number, frames: Uint8Array[], piecewise: boolean): Promise<void> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const idle = setTimeout(() => socket.destroy(), IDLE_MS)
    socket.on('error', () => {})
    socket.on('close', () => {
      clearTimeout(idle)
      resolve()
    })
    const bytes = Buffer.concat([Buffer.from(UPGRADE, 'latin1'), ...frames])
    if (!piecewise) return void socket.write(bytes)
    for (let at = 0; at < bytes.length; at += 7) socket.write(bytes.subarray(at, at + 7))
  })
}

describe('fuzz: WebSocket frames at the relay', () => {
  let relay: Libp2p
  let honest: Libp2p
  const uncaught: unknown[] = []
  const onUncaught = (err: unknown) => uncaught.push(err)

  beforeAll(async () => {
    process.on('uncaughtException', onUncaught)
    relay = await createLibp2p({
      addresses: { listen: ['/ip4/127.0.0.1/tcp/0/ws'] },
      transports: [relayWebSockets(2_000)],
      connectionEncrypters: [noise()],
      streamMuxers: [meshYamux()],
      connectionManager: { inboundConnectionThreshold: 1e6, maxIncomingPendingConnections: 1_000 },
    })
    honest = await createLibp2p({
      transports: [webSockets()],
      connectionEncrypters: [noise()],
      streamMuxers: [meshYamux()],
      connectionGater: { denyDialMultiaddr: () => false },
    })
  })
  afterAll(async () => {
    process.off('uncaughtException', onUncaught)
    await Promise.all([honest?.stop(), relay?.stop()])
  })

  it('closes each connection with hostile frames on its own, never throws out of the event loop, and keeps accepting libp2p peers', async () => {
    const started = performance.now()
    const port = Number(/\/tcp\/(\d+)\//.exec(relay.getMultiaddrs()[0].toString())![1])
    let frames = 0
    let honestDials = 0
    for (const seed of SEEDS) {
      const random = seededRandom(seed)
      for (let batch = 0; batch < CONNECTIONS_PER_SEED / PARALLEL; batch++) {
        await Promise.all(
          Array.from({ length: PARALLEL }, () => {
            const sent = Array.from({ length: random.intBetween(1, 4) }, () => hostileFrame(random))
            frames += sent.length
            return hostileConnection(port, sent, random.chance(0.2))
          }),
        )
        if (uncaught.length > 0) expect.fail(`${replayHint(seed, FILE)}\nbatch ${batch}: ${String(uncaught[0])}`)
        // An honest libp2p peer still connects (WebSocket, Noise, Yamux) between the batches.
        if (batch % 5 === 0) {
          const connection = await honest.dial(relay.getMultiaddrs()[0], { signal: AbortSignal.timeout(20_000) })
          expect(connection.status, `${replayHint(seed, FILE)}\nbatch ${batch}`).toBe('open')
          await connection.close()
          honestDials++
        }
      }
    }
    expect(uncaught).toEqual([])
    console.log(
      `[fuzz] WebSocket frames: ${frames} frames on ${SEEDS.length * CONNECTIONS_PER_SEED} connections, ${honestDials} honest libp2p dials interleaved, in ${((performance.now() - started) / 1000).toFixed(1)} s (seeds ${SEEDS.join(', ')})`,
    )
  })
})
