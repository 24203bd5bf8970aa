import { describe, expect, it } from 'vitest'
import { MessageChannel } from 'node:worker_threads'
import { exposeWorkerApi } from '../../../workers/bridge/expose'
import { WorkerClient } from '../../../workers/bridge/connect'
import { transfer, type CallContext } from '../../../workers/bridge/protocol'

const api = {
  async double(x: number, _c: CallContext<never>) {
    return x * 2
  },
  async count(n: number, context: CallContext<number>) {
    for (let i = 1; i <= n; i++) {
      context.signal.throwIfAborted()
      context.progress(i)
      await new Promise((r) => setTimeout(r, 5))
    }
    return 'done'
  },
  async fill(size: number, _c: CallContext<never>) {
    const buffer = new Float32Array(size).fill(1.5).buffer
    return transfer(buffer, [buffer])
  },
  async fail(_: null, _c: CallContext<never>): Promise<never> {
    throw new RangeError('no such thing')
  },
}

function connect() {
  const { port1, port2 } = new MessageChannel()
  exposeWorkerApi(api, port1 as never)
  const client = new WorkerClient<typeof api>(port2 as never)
  return { client, close: () => (port1.close(), port2.close()) }
}

describe('page-worker bridge', () => {
  it('calls, streams progress, moves buffers and carries errors', async () => {
    const { client, close } = connect()
    await client.ready
    expect(await client.call('double', 21)).toBe(42)
    const seen: number[] = []
    expect(await client.call('count', 3, { onProgress: (p) => seen.push(p) })).toBe('done')
    expect(seen).toEqual([1, 2, 3])
    const buffer = await client.call('fill', 4)
    expect(Array.from(new Float32Array(buffer))).toEqual([1.5, 1.5, 1.5, 1.5])
    await expect(client.call('fail', null)).rejects.toMatchObject({ name: 'RangeError', message: 'no such thing' })
    await expect(client.call('nope' as 'double', 1)).rejects.toThrow(/no method 'nope'/)
    close()
  })

  it('cancels a running call from the page', async () => {
    const { client, close } = connect()
    const controller = new AbortController()
    const seen: number[] = []
    const running = client.call('count', 1000, {
      signal: controller.signal,
      onProgress: (p) => {
        seen.push(p)
        if (p === 2) controller.abort()
      },
    })
    await expect(running).rejects.toMatchObject({ name: 'AbortError' })
    expect(seen.length).toBeLessThan(10)
    close()
  })
})
