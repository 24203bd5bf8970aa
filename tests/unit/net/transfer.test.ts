import { describe, expect, it } from 'vitest'
import { streamPair } from '@libp2p/utils'
import { identityFromSeed } from '../../../workers/identity/ed25519'
import { transferClient, transferDeps, transferServer } from './transfer-fixtures'
import { BlobStore, webCryptoSha256 } from '../../../workers/net/blob-store'
import { fetchBlob, serveTransfer, TransferError } from '../../../workers/net/transfer'
import { seededBytes } from '../../../workers/common/random'

const server = transferServer
const client = transferClient
const deps = transferDeps

const pseudoRandomBytes = (length: number, seed: number): Uint8Array => seededBytes(seed)(length)

describe('transfer protocol', () => {
  it('moves a multi-chunk blob intact and reports progress', async () => {
    const store = new BlobStore(webCryptoSha256)
    const blob = pseudoRandomBytes(1_300_000, 42)
    const key = await store.add(blob)
    const serverDeps = deps(server)
    const progress: number[] = []
    const got = await fetchBlob(
      async () => {
        const [outbound, inbound] = await streamPair()
        void serveTransfer(inbound, client.publicKey, store, serverDeps)
        return { stream: outbound, remotePublicKey: server.publicKey }
      },
      Uint8Array.from(Buffer.from(key, 'hex')),
      deps(client),
      { onProgress: (n) => progress.push(n) },
    )
    expect(got).toEqual(blob)
    expect(progress.at(-1)).toBe(blob.length)
    expect(progress.length).toBe(Math.ceil(blob.length / (256 * 1024)))
  })

  it('resumes from the first missing chunk after the stream breaks', async () => {
    const store = new BlobStore(webCryptoSha256)
    const blob = pseudoRandomBytes(1_000_000, 9)
    const key = await store.add(blob)
    const serverDeps = deps(server)
    let opens = 0
    const got = await fetchBlob(
      async () => {
        opens++
        const [outbound, inbound] = await streamPair()
        void serveTransfer(inbound, client.publicKey, store, serverDeps)
        if (opens === 1) {
          // Cut the first attempt after some chunks have arrived.
          let seen = 0
          outbound.addEventListener('message', () => {
            if (++seen === 3) outbound.abort(new Error('link dropped'))
          })
        }
        return { stream: outbound, remotePublicKey: server.publicKey }
      },
      Uint8Array.from(Buffer.from(key, 'hex')),
      deps(client),
    )
    expect(opens).toBe(2)
    expect(got).toEqual(blob)
  })

  it('refuses an answer signed by someone other than the peer it asked', async () => {
    const store = new BlobStore(webCryptoSha256)
    const key = await store.add(pseudoRandomBytes(1000, 1))
    const impostor = identityFromSeed(new Uint8Array(32).fill(9))
    await expect(
      fetchBlob(
        async () => {
          const [outbound, inbound] = await streamPair()
          void serveTransfer(inbound, client.publicKey, store, deps(impostor))
          return { stream: outbound, remotePublicKey: server.publicKey }
        },
        Uint8Array.from(Buffer.from(key, 'hex')),
        deps(client),
      ),
    ).rejects.toThrow(/sender-mismatch/)
  })

  it('reports a blob the peer does not hold without retrying', async () => {
    const store = new BlobStore(webCryptoSha256)
    let opens = 0
    await expect(
      fetchBlob(
        async () => {
          opens++
          const [outbound, inbound] = await streamPair()
          void serveTransfer(inbound, client.publicKey, store, deps(server))
          return { stream: outbound, remotePublicKey: server.publicKey }
        },
        new Uint8Array(32),
        deps(client),
      ),
    ).rejects.toThrow(TransferError)
    expect(opens).toBe(1)
  })

  it('the server drops a forged request and keeps serving honest ones', async () => {
    const store = new BlobStore(webCryptoSha256)
    const blob = pseudoRandomBytes(5000, 3)
    const key = await store.add(blob)
    const serverDeps = deps(server)
    const mallory = identityFromSeed(new Uint8Array(32).fill(10))
    // Mallory's request claims to come from the client's connection.
    await expect(
      fetchBlob(
        async () => {
          const [outbound, inbound] = await streamPair()
          void serveTransfer(inbound, client.publicKey, store, serverDeps)
          return { stream: outbound, remotePublicKey: server.publicKey }
        },
        Uint8Array.from(Buffer.from(key, 'hex')),
        deps(mallory),
        { attempts: 1 },
      ),
    ).rejects.toThrow()
    expect(serverDeps.validator.rejected['sender-mismatch']).toBe(1)
    const got = await fetchBlob(
      async () => {
        const [outbound, inbound] = await streamPair()
        void serveTransfer(inbound, client.publicKey, store, serverDeps)
        return { stream: outbound, remotePublicKey: server.publicKey }
      },
      Uint8Array.from(Buffer.from(key, 'hex')),
      deps(client),
    )
    expect(got).toEqual(blob)
  })
})
