import { describe, expect, it } from 'vitest'
import { streamPair } from '@libp2p/utils'
import type { Connection } from '@libp2p/interface'
import { transferClient, transferDeps, transferServer } from './transfer-fixtures'
import { BlobStore, webCryptoSha256 } from '../../../workers/net/blob-store'
import { fetchBlob, serveTransfer } from '../../../workers/net/transfer'
import { moveToDirectLinkWhenUp, type ConnectionEvents } from '../../../workers/net/relayed-transfers'
import { seededBytes } from '../../../workers/common/random'

// The node's connection events stand in for libp2p here (Node has no WebRTC); the transfer
// itself is the real protocol over real libp2p stream pairs.
const server = transferServer
const client = transferClient
const deps = transferDeps
const PEER = '12D3KooWseed'
const RELAY = '/ip4/127.0.0.1/tcp/9000/ws/p2p/12D3KooWrelay'

class FakeNode extends EventTarget implements ConnectionEvents {
  listeners = 0
  override addEventListener(type: string, listener: any, options?: any): void {
    this.listeners++
    super.addEventListener(type, listener, options)
  }
  override removeEventListener(type: string, listener: any, options?: any): void {
    this.listeners--
    super.removeEventListener(type, listener, options)
  }
  opened(peer: string, remoteAddr: string): void {
    const connection = { remotePeer: { toString: () => peer }, remoteAddr: { toString: () => remoteAddr } } as unknown as Connection
    this.dispatchEvent(new CustomEvent('connection:open', { detail: connection }))
  }
}

describe('a transfer on a relayed connection', () => {
  it('moves to the direct link once one to the same peer opens, and resumes there without refetching what it has or using up an attempt', async () => {
    const store = new BlobStore(webCryptoSha256)
    const blob = seededBytes(5)(4_000_000)
    const key = await store.add(blob)
    const node = new FakeNode()
    const moves: string[] = []
    let opens = 0
    const served: { bytes: number; ok: boolean }[] = []
    const serverDeps = { ...deps(server), onServed: (bytes: number, ok: boolean) => served.push({ bytes, ok }) }
    const got = await fetchBlob(
      async () => {
        opens++
        const [outbound, inbound] = await streamPair()
        void serveTransfer(inbound, client.publicKey, store, serverDeps)
        // The first attempt runs on the relayed connection and watches for a direct link.
        if (opens === 1) moveToDirectLinkWhenUp(node, PEER, outbound, () => moves.push('moved'))
        return { stream: outbound, remotePublicKey: server.publicKey }
      },
      Uint8Array.from(Buffer.from(key, 'hex')),
      deps(client),
      {
        // One attempt: moving to the direct link must not use it up.
        attempts: 1,
        // Once the first chunk has arrived, links open: another peer's, another relayed one to the peer, then the direct link.
        onProgress: () => {
          if (opens !== 1 || moves.length > 0) return
          node.opened('12D3KooWother', `${RELAY}/p2p-circuit/webrtc/p2p/12D3KooWother`)
          node.opened(PEER, `${RELAY}/p2p-circuit/p2p/${PEER}`)
          expect(moves).toEqual([])
          node.opened(PEER, `${RELAY}/p2p-circuit/webrtc/p2p/${PEER}`)
        },
      },
    )
    expect(got).toEqual(blob)
    expect(moves).toEqual(['moved'])
    expect(opens).toBe(2)
    expect(node.listeners).toBe(0)
    // The attempt on the direct link served only what the relayed one had not delivered.
    const resumed = served.find((s) => s.ok)!
    expect(resumed.bytes).toBeGreaterThan(0)
    expect(resumed.bytes).toBeLessThan(blob.length)
  })

  it('stops watching when its stream closes, and never aborts a finished one', async () => {
    const node = new FakeNode()
    const [outbound] = await streamPair()
    const aborted: Error[] = []
    const original = outbound.abort.bind(outbound)
    outbound.abort = (err: Error) => {
      aborted.push(err)
      original(err)
    }
    moveToDirectLinkWhenUp(node, PEER, outbound, () => {})
    expect(node.listeners).toBe(1)
    outbound.abort(new Error('the transfer ended'))
    await new Promise((r) => setTimeout(r, 10))
    expect(node.listeners).toBe(0)
    node.opened(PEER, `${RELAY}/p2p-circuit/webrtc/p2p/${PEER}`)
    expect(aborted.map((e) => e.message)).toEqual(['the transfer ended'])
  })

  it('moves at once when the direct link opened while the relayed stream was being negotiated', async () => {
    const node = new FakeNode()
    const [outbound] = await streamPair()
    const moves: string[] = []
    moveToDirectLinkWhenUp(node, PEER, outbound, () => moves.push('moved'), true)
    expect(moves).toEqual(['moved'])
    expect(outbound.status).toBe('aborted')
    expect(node.listeners).toBe(0)
  })
})
