import { hex } from '../common/bytes'

/** SHA-256 of bytes; injected so the browser can hash large payloads in a worker. */
export type Sha256 = (bytes: Uint8Array) => Promise<Uint8Array>

export const webCryptoSha256: Sha256 = async (bytes) =>
  new Uint8Array(await crypto.subtle.digest('SHA-256', bytes as Uint8Array<ArrayBuffer>))

export const CHUNK_BYTES = 256 * 1024

export interface BlobManifest {
  readonly sha256: Uint8Array
  readonly totalBytes: number
  readonly chunkBytes: number
  readonly chunkSha256: readonly Uint8Array[]
}

export interface StoredBlob {
  readonly bytes: Uint8Array
  readonly manifest: BlobManifest
}

export async function describeBlob(bytes: Uint8Array, sha256: Sha256, chunkBytes = CHUNK_BYTES): Promise<BlobManifest> {
  const chunks: Promise<Uint8Array>[] = []
  for (let offset = 0; offset < bytes.length; offset += chunkBytes) {
    chunks.push(sha256(bytes.subarray(offset, Math.min(bytes.length, offset + chunkBytes))))
  }
  return { sha256: await sha256(bytes), totalBytes: bytes.length, chunkBytes, chunkSha256: await Promise.all(chunks) }
}

/**
 * Content-addressed blobs this node can serve, bounded in total bytes; the least recently
 * added or read blob is evicted first.
 */
export class BlobStore {
  private readonly blobs = new Map<string, StoredBlob>()
  private bytesHeld = 0

  constructor(
    private readonly sha256: Sha256,
    private readonly maxBytes = 512 * 1024 * 1024,
  ) {}

  /** Stores bytes and returns their SHA-256 in hex. */
  async add(bytes: Uint8Array): Promise<string> {
    if (bytes.length > this.maxBytes) throw new Error(`blob of ${bytes.length} bytes exceeds the store's ${this.maxBytes}-byte capacity`)
    const manifest = await describeBlob(bytes, this.sha256)
    const key = hex(manifest.sha256)
    if (!this.blobs.has(key)) {
      this.blobs.set(key, { bytes, manifest })
      this.bytesHeld += bytes.length
      this.evict()
    }
    return key
  }

  get(sha256Hex: string): StoredBlob | undefined {
    const blob = this.blobs.get(sha256Hex)
    if (blob) {
      this.blobs.delete(sha256Hex)
      this.blobs.set(sha256Hex, blob)
    }
    return blob
  }

  has(sha256Hex: string): boolean {
    return this.blobs.has(sha256Hex)
  }

  private evict(): void {
    for (const [key, blob] of this.blobs) {
      if (this.bytesHeld <= this.maxBytes) break
      this.blobs.delete(key)
      this.bytesHeld -= blob.bytes.length
    }
  }
}
