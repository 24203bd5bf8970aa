import { connect } from 'node:net'

/**
 * Writes raw bytes to an HTTP server and collects everything it answers until it closes the
 * connection (or `idleMs` pass without a byte). For request lines no HTTP client would send.
 */
export function rawExchange(port: number, payload: string | Uint8Array, idleMs = 2_000): Promise<string> {
  return new Promise((resolve) => {
    const socket = connect(port, '127.0.0.1')
    const chunks: Buffer[] = []
    let timer = setTimeout(() => socket.destroy(), idleMs)
    const done = () => {
      clearTimeout(timer)
      resolve(Buffer.concat(chunks).toString('latin1'))
    }
    socket.on('data', (chunk) => {
      chunks.push(chunk)
      clearTimeout(timer)
      timer = setTimeout(() => socket.destroy(), idleMs)
    })
    socket.on('error', () => {})
    socket.on('close', done)
    socket.write(payload)
  })
}

/** Status codes of every response in a (possibly pipelined) answer, in order. */
export function statuses(answer: string): number[] {
  return [...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]))
}
