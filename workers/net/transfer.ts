import type { Stream } from '@libp2p/interface'
import { lpStream } from '@libp2p/utils'
import { sealMessage, type EnvelopeSigner } from '../protocol/envelope'
import type { InboundValidator } from '../protocol/inbound'
import { decodeExact } from '../protocol/exact-decode'
import { TransferChunk, type TransferManifest } from '../protocol/wire.pb'
import { netKinds } from './kinds'
import { hex } from '../common/bytes'
import type { Logger } from '../log'
import type { BlobStore, Sha256 } from './blob-store'
import { MovedToDirectLinkError } from './relayed-transfers'

export const TRANSFER_PROTOCOL = '/agent-mesh/transfer/1.0.0'
// A frame is a manifest envelope or one chunk (256 KiB of data plus its framing).
const MAX_FRAME_BYTES = Math.max(netKinds['transfer.manifest'].maxEnvelopeBytes, 1024 * 1024 + 64)
const REQUEST_TIMEOUT_MS = 15_000
// Bytes a fetch may hold between the stream and its reader while the page is busy: libp2p's
// 4 MiB default is under two seconds of a loaded page's stall at the rates seen here.
const RECEIVE_BUFFER_BYTES = 16 * 1024 * 1024

export interface TransferDeps {
  readonly validator: InboundValidator
  readonly signer: EnvelopeSigner
  readonly sha256: Sha256
  readonly log: Logger
  /** Told once a served transfer ends: blob bytes written, and whether the stream closed cleanly (metrics). */
  readonly onServed?: (bytes: number, ok: boolean) => void
}

/**
 * Serves one request: a signed transfer.request in, a signed manifest out, then the chunks
 * from the requested index on. A request that fails the inbound gate ends the stream.
 */
export async function serveTransfer(
  stream: Stream,
  remotePublicKey: Uint8Array | undefined,
  store: BlobStore,
  deps: TransferDeps,
  source = 'stream',
): Promise<void> {
  const lp = lpStream(stream, { maxDataLength: netKinds['transfer.request'].maxEnvelopeBytes })
  let served = 0
  try {
    let request
    try {
      request = await lp.read({ signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) })
    } catch (err) {
      const name = (err as Error).name
      const reason = name === 'InvalidDataLengthError' || name === 'InvalidDataLengthLengthError' ? 'oversized' : 'malformed'
      deps.validator.reportRejection(reason, `unreadable transfer request: ${name}: ${(err as Error).message}`, {
        carrier: 'stream',
        source,
      })
      stream.abort(err as Error)
      return
    }
    const verdict = await deps.validator.check(request.subarray(), {
      carrier: 'stream',
      expectedKind: 'transfer.request',
      originPublicKey: remotePublicKey,
      source,
    })
    if (!verdict.ok) {
      stream.abort(new Error(`rejected: ${verdict.reason}`))
      return
    }
    const { sha256, fromChunk } = verdict.payload as { sha256: Uint8Array; fromChunk: number }
    const blob = store.get(hex(sha256))
    const manifest: TransferManifest = blob
      ? {
          sha256: blob.manifest.sha256 as Uint8Array<ArrayBuffer>,
          totalBytes: BigInt(blob.manifest.totalBytes),
          chunkBytes: blob.manifest.chunkBytes,
          chunkSha256: blob.manifest.chunkSha256 as Uint8Array<ArrayBuffer>[],
          error: '',
        }
      : { sha256: sha256 as Uint8Array<ArrayBuffer>, totalBytes: 0n, chunkBytes: 0, chunkSha256: [], error: 'not found' }
    await lp.write(sealMessage(deps.signer, 'transfer.manifest', manifest))
    if (blob) {
      const { chunkBytes } = blob.manifest
      for (let index = fromChunk; index < blob.manifest.chunkSha256.length; index++) {
        const data = blob.bytes.subarray(index * chunkBytes, Math.min(blob.bytes.length, (index + 1) * chunkBytes))
        await lp.write(TransferChunk.encode({ index, data: data as Uint8Array<ArrayBuffer> }))
        served += data.length
      }
    }
    await stream.close()
    deps.onServed?.(served, true)
  } catch (err) {
    deps.onServed?.(served, false)
    deps.log.debug({ err: (err as Error).message, source }, 'transfer stream ended early')
    stream.abort(err as Error)
  }
}

export interface FetchOptions {
  readonly signal?: AbortSignal
  readonly maxBytes?: number
  readonly attempts?: number
  readonly onProgress?: (receivedBytes: number, totalBytes: number) => void
  /** Called when an attempt fails and the transfer resumes on a fresh stream. */
  readonly onRetry?: (attempt: number, error: Error, receivedBytes: number) => void
}

export interface OpenedStream {
  readonly stream: Stream
  readonly remotePublicKey: Uint8Array | undefined
}

export class TransferError extends Error {
  override name = 'TransferError'
}

/**
 * Fetches a blob by its SHA-256. Every chunk is checked against the signed manifest as it
 * arrives; if the stream breaks, the next attempt resumes at the first missing chunk.
 */
export async function fetchBlob(
  open: () => Promise<OpenedStream>,
  sha256: Uint8Array,
  deps: TransferDeps,
  options: FetchOptions = {},
): Promise<Uint8Array> {
  const maxBytes = options.maxBytes ?? 256 * 1024 * 1024
  const attempts = options.attempts ?? 4
  let manifest: { totalBytes: number; chunkBytes: number; chunkSha256: Uint8Array[] } | undefined
  let chunks: (Uint8Array | undefined)[] = []
  let received = 0
  let lastError: Error | undefined
  let moved = false

  for (let attempt = 0; attempt < attempts; attempt++) {
    options.signal?.throwIfAborted()
    if (attempt > 0) await delay(Math.min(4000, 250 * 2 ** attempt), options.signal)
    const fromChunk = manifest ? chunks.findIndex((c) => c === undefined) : 0
    let opened: OpenedStream | undefined
    try {
      opened = await open()
      const lp = lpStream(opened.stream, { maxDataLength: MAX_FRAME_BYTES, maxBufferSize: RECEIVE_BUFFER_BYTES })
      const signal = options.signal ? AbortSignal.any([options.signal, AbortSignal.timeout(60_000)]) : AbortSignal.timeout(60_000)
      await lp.write(sealMessage(deps.signer, 'transfer.request', { sha256: sha256 as Uint8Array<ArrayBuffer>, fromChunk }), { signal })
      const verdict = await deps.validator.check((await lp.read({ signal })).subarray(), {
        carrier: 'stream',
        expectedKind: 'transfer.manifest',
        originPublicKey: opened.remotePublicKey,
        source: 'transfer-response',
      })
      if (!verdict.ok) throw new TransferError(`peer's manifest was rejected: ${verdict.reason} (${verdict.detail})`)
      const m = verdict.payload as TransferManifest
      if (m.error) throw new TransferError(`peer cannot serve ${hex(sha256)}: ${m.error}`)
      const checked = checkManifest(m, sha256, maxBytes)
      if (manifest && (manifest.totalBytes !== checked.totalBytes || manifest.chunkBytes !== checked.chunkBytes)) {
        throw new TransferError('manifest changed between attempts')
      }
      if (!manifest) {
        manifest = checked
        chunks = new Array(checked.chunkSha256.length).fill(undefined)
      }
      // Frames are taken off the stream as fast as they arrive and hashed in the background:
      // WebRTC streams have no receive window, so bytes left waiting behind a hash check
      // pile up in the read buffer until libp2p aborts the stream (seen under load).
      const wanted = new Set(chunks.flatMap((c, i) => (c === undefined ? [i] : [])))
      const arrived = new Set<number>()
      const checks: Promise<void>[] = []
      let badChunk: Error | undefined
      while (arrived.size < wanted.size) {
        if (badChunk) throw badChunk
        const frame = decodeTransferChunk((await lp.read({ signal })).subarray())
        const expected = manifest.chunkSha256[frame.index]
        if (!expected) throw new TransferError(`chunk index ${frame.index} is out of range`)
        const size = Math.min(manifest.chunkBytes, manifest.totalBytes - frame.index * manifest.chunkBytes)
        if (frame.data.length !== size) throw new TransferError(`chunk ${frame.index} has ${frame.data.length} bytes, expected ${size}`)
        if (!wanted.has(frame.index) || arrived.has(frame.index)) continue
        arrived.add(frame.index)
        const total = manifest.totalBytes
        checks.push(
          deps
            .sha256(frame.data)
            .then((digest) => {
              if (!equal(digest, expected)) throw new TransferError(`chunk ${frame.index} does not match its hash`)
              chunks[frame.index] = frame.data
              received += frame.data.length
              options.onProgress?.(received, total)
            })
            .catch((err: Error) => void (badChunk ??= err)),
        )
      }
      await Promise.all(checks)
      if (badChunk) throw badChunk
      await opened.stream.close().catch(() => {})
      const whole = new Uint8Array(manifest.totalBytes)
      chunks.forEach((c, i) => whole.set(c!, i * manifest!.chunkBytes))
      if (!equal(await deps.sha256(whole), sha256)) throw new TransferError('assembled blob does not match the requested hash')
      return whole
    } catch (err) {
      opened?.stream.abort(err as Error)
      lastError = err as Error
      if (options.signal?.aborted) throw err
      // A wrong or dishonest answer will not improve by asking again.
      if (err instanceof TransferError && /rejected|cannot serve|does not match|out of range|expected/.test(err.message)) throw err
      deps.log.debug({ attempt, err: lastError.message, received }, 'transfer interrupted; resuming')
      options.onRetry?.(attempt, lastError, received)
      // Moving to a direct link is no failure: the first move does not use up an attempt.
      if (err instanceof MovedToDirectLinkError && !moved) {
        moved = true
        attempt--
      }
    }
  }
  throw new TransferError(`transfer failed after ${attempts} attempts: ${lastError?.message}`)
}

/** A chunk frame, consumed exactly; anything else ends the transfer as the peer's fault. */
export function decodeTransferChunk(bytes: Uint8Array): TransferChunk {
  try {
    return decodeExact(bytes, TransferChunk.codec())
  } catch (err) {
    throw new TransferError(`chunk frame rejected: ${(err as Error).message}`)
  }
}

function checkManifest(m: TransferManifest, sha256: Uint8Array, maxBytes: number) {
  const totalBytes = Number(m.totalBytes)
  if (!equal(m.sha256, sha256)) throw new TransferError('manifest is for a different blob than requested')
  if (totalBytes > maxBytes) throw new TransferError(`blob of ${totalBytes} bytes exceeds the ${maxBytes}-byte limit`)
  if (m.chunkBytes <= 0 || m.chunkBytes > 1024 * 1024) throw new TransferError(`chunk size ${m.chunkBytes} out of range`)
  if (m.chunkSha256.length !== Math.ceil(totalBytes / m.chunkBytes)) throw new TransferError('manifest chunk count does not match its size')
  if (m.chunkSha256.some((h) => h.length !== 32)) throw new TransferError('manifest holds a malformed chunk hash')
  return { totalBytes, chunkBytes: m.chunkBytes, chunkSha256: m.chunkSha256 }
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
export function delay(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(resolve, ms)
    signal?.addEventListener(
      'abort',
      () => {
        clearTimeout(timer)
        reject(signal.reason)
      },
      { once: true },
    )
  })
}
