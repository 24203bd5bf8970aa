import { peerIdFromString } from '@libp2p/peer-id'
import type { MeshClient } from './client.svelte'
import { hex } from '../../workers/identity/ed25519'

/**
 * A small scripting handle on `window.agentMesh`, for the end-to-end tests, benchmarks and
 * anyone poking at a node from the devtools console. It only calls the node's public API.
 */
export function installTestHandle(client: MeshClient): void {
  const handle = {
    peerId: () => client.peerId,
    relayState: () => client.relayState,
    peers: () => client.peers.map((p) => ({ ...p })),
    multiaddrs: () => client.node?.getMultiaddrs().map((a) => a.toString()) ?? [],
    publishChat: (text: string) => client.publishChat(text),
    chats: () => client.chats.map((c) => ({ ...c })),
    gate: () => client.runtime?.validator.snapshot(),
    /** Stores `size` deterministic pseudo-random bytes and returns their SHA-256. */
    async addBlob(size: number, seed: number): Promise<string> {
      const bytes = pseudoRandomBytes(size, seed)
      return client.runtime!.blobs.add(bytes)
    },
    async fetchBlob(peerId: string, sha256Hex: string): Promise<{ bytes: number; sha256: string; ms: number }> {
      const started = performance.now()
      const bytes = await client.runtime!.fetchBlob(peerIdFromString(peerId), Uint8Array.from(sha256Hex.match(/../g)!.map((h) => parseInt(h, 16))))
      const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))
      return { bytes: bytes.length, sha256: hex(digest), ms: performance.now() - started }
    },
  }
  ;(window as unknown as { agentMesh: typeof handle }).agentMesh = handle
}


function pseudoRandomBytes(length: number, seed: number): Uint8Array {
  const out = new Uint8Array(length)
  let x = seed >>> 0 || 1
  for (let i = 0; i < length; i++) {
    x ^= x << 13
    x >>>= 0
    x ^= x >>> 17
    x ^= x << 5
    x >>>= 0
    out[i] = x & 0xff
  }
  return out
}
