/**
 * A round trip on one given connection. libp2p's ping service takes a peer or address and
 * opens its stream on the first direct connection in libp2p's list, which may be a twin link
 * the other side is closing (keptTwin): pings on it were refused with a bare 'close' in the
 * load test. This speaks the same protocol (/ipfs/ping/1.0.0: 32 random bytes, echoed) on the
 * connection MeshRuntime.bestConnection chose; the peer's ping service answers it.
 */
import type { Connection, StreamMessageEvent } from '@libp2p/interface'
import { PING_PROTOCOL } from '@libp2p/ping'

const PING_LENGTH = 32

export async function pingOver(connection: Connection, signal: AbortSignal): Promise<number> {
  const stream = await connection.newStream(PING_PROTOCOL, { signal, runOnLimitedConnection: true })
  try {
    const data = crypto.getRandomValues(new Uint8Array(PING_LENGTH))
    const started = performance.now()
    const echo = new Uint8Array(PING_LENGTH)
    let received = 0
    const answered = new Promise<void>((resolve, reject) => {
      const onMessage = (event: StreamMessageEvent) => {
        const chunk = event.data.subarray()
        if (received + chunk.length > PING_LENGTH) return reject(new Error(`ping answer longer than ${PING_LENGTH} bytes`))
        echo.set(chunk, received)
        received += chunk.length
        if (received === PING_LENGTH) resolve()
      }
      stream.addEventListener('message', onMessage)
      stream.addEventListener('close', () => reject(new Error(`ping stream closed after ${received} of ${PING_LENGTH} bytes`)), {
        once: true,
      })
      signal.addEventListener('abort', () => reject(signal.reason), { once: true })
    })
    stream.send(data)
    await answered
    const rtt = performance.now() - started
    if (!echo.every((b, i) => b === data[i])) throw new Error('ping answer does not echo what was sent')
    await stream.close({ signal }).catch(() => {})
    return rtt
  } catch (err) {
    stream.abort(err as Error)
    throw err
  }
}
