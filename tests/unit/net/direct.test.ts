import { afterEach, describe, expect, it } from 'vitest'
import type { Libp2p } from 'libp2p'
import { loopbackRuntime } from './loopback-node'
import { lpStream } from '@libp2p/utils'
import { identityFromSeed } from '../../../workers/identity/ed25519'
import { createEnvelopeSigner, sealMessage } from '../../../workers/protocol/envelope'
import type { Rejected } from '../../../workers/protocol/inbound'
import { directProtocol } from '../../../workers/net/direct'
import { messageKinds } from '../../../workers/kinds'
import { submitToWire } from '../../../workers/fl/round/codec'
import type { RoundSubmit } from '../../../workers/fl/round/wire.pb'

const nodes: Libp2p[] = []
afterEach(async () => {
  await Promise.all(nodes.splice(0).map((n) => n.stop()))
})

async function runtimeFor(seed: number, listen: boolean, rejections: Rejected[] = []) {
  const made = await loopbackRuntime(seed, { listen, onReject: (r) => rejections.push(r) })
  nodes.push(made.node)
  return made
}

const submission = (round: number): RoundSubmit =>
  submitToWire({
    kind: 'submit',
    taskId: 'a'.repeat(64),
    round,
    attempt: 0,
    submission: { trainer: 'trainer', update: 'b'.repeat(64), samples: 10, signature: new Uint8Array(64) },
  })

const until = async (check: () => boolean) => {
  for (let i = 0; i < 500 && !check(); i++) await new Promise((r) => setTimeout(r, 20))
}

/** A server taking fl.round.submit, and a client connected to it. */
async function pair() {
  const rejections: Rejected[] = []
  const server = await runtimeFor(41, true, rejections)
  const received: { round: number; from: string }[] = []
  await server.runtime.direct.on('fl.round.submit', (message, from) => {
    if (message.payload.round === 13) throw new Error('a handler bug')
    received.push({ round: message.payload.round, from: from.toString() })
  })
  const client = await runtimeFor(42, false)
  await client.node.dial(server.node.getMultiaddrs()[0])
  /** Writes raw bytes as one frame on the kind's direct protocol. */
  const raw = async (bytes: Uint8Array, kind: Parameters<typeof directProtocol>[0] = 'fl.round.submit') => {
    const stream = await client.node.dialProtocol(server.node.peerId, directProtocol(kind))
    await lpStream(stream).write(bytes)
    await stream.close().catch(() => {})
  }
  return { server, client, received, rejections, raw }
}

describe('direct messages', () => {
  it('delivers a signed message to the kind handler, naming the stream remote as sender', async () => {
    const { server, client, received } = await pair()
    await client.runtime.direct.send(server.node.peerId, 'fl.round.submit', submission(1))
    await until(() => received.length === 1)
    expect(received).toEqual([{ round: 1, from: client.node.peerId.toString() }])
  })

  it('refuses gossip and other stream kinds, garbage, oversized frames and a message signed by someone else than the stream remote, with reasons', async () => {
    const { client, received, rejections, raw } = await pair()
    await raw(sealMessage(client.signer, 'mesh.chat', { text: 'not a submission', sentAtUs: 1n }))
    await raw(sealMessage(client.signer, 'transfer.request', { sha256: new Uint8Array(32), fromChunk: 0 }))
    await raw(new Uint8Array(300).fill(7))
    await raw(new Uint8Array(64 * 1024))
    const stranger = createEnvelopeSigner(identityFromSeed(new Uint8Array(32).fill(99)), messageKinds)
    await raw(sealMessage(stranger, 'fl.round.submit', submission(2)))
    await until(() => rejections.length >= 5)
    expect(rejections.map((r) => r.reason).sort()).toEqual(
      ['malformed', 'oversized', 'sender-mismatch', 'wrong-carrier', 'wrong-topic'].sort(),
    )
    expect(rejections.every((r) => r.detail.length > 0)).toBe(true)
    expect(received).toEqual([])
  })

  it('keeps serving after a handler throws', async () => {
    const { server, client, received } = await pair()
    await client.runtime.direct.send(server.node.peerId, 'fl.round.submit', submission(13))
    await client.runtime.direct.send(server.node.peerId, 'fl.round.submit', submission(14))
    await until(() => received.length === 1)
    expect(received.map((r) => r.round)).toEqual([14])
  })

  it('will not carry gossip kinds', async () => {
    const { server } = await pair()
    await expect(server.runtime.direct.on('mesh.chat', () => {})).rejects.toThrow(/gossip/)
  })
})
