import type { GossipSub } from '@libp2p/gossipsub'
import type { Connection, Libp2p, PeerId } from '@libp2p/interface'
import type { EnvelopeSigner } from '../protocol/envelope'
import { InboundValidator, type InboundOptions, type Rejected } from '../protocol/inbound'
import type { MessageKind } from '../protocol/kinds'
import type { BatchVerifier } from '../protocol/verify'
import type { Logger } from '../log'
import { BlobStore, type Sha256 } from './blob-store'
import { MeshGossip } from './gossip'
import { fetchBlob, serveTransfer, TRANSFER_PROTOCOL, type FetchOptions } from './transfer'
import { isDirectConnection } from './connection-kind'

export interface MeshRuntimeOptions {
  readonly signer: EnvelopeSigner
  readonly verify: BatchVerifier
  readonly sha256: Sha256
  readonly log: Logger
  readonly gossipKinds: readonly MessageKind[]
  readonly authorize?: InboundOptions['authorize']
  readonly onReject?: (rejected: Rejected, source: string | undefined) => void
  readonly maxBlobStoreBytes?: number
  /** Told about every finished blob transfer, served or fetched (metrics). */
  readonly onTransfer?: (direction: 'served' | 'fetched', ok: boolean, bytes: number) => void
}

export type MeshNode = Libp2p<{ pubsub: GossipSub }>

/**
 * What the relay and every browser node run on top of libp2p: the inbound gate, gossip
 * behind it, and the blob transfer protocol. Environment-specific parts (transports, storage,
 * where hashing and signature checks run) come in through the options.
 */
export class MeshRuntime {
  readonly validator: InboundValidator
  readonly gossip: MeshGossip
  readonly blobs: BlobStore

  constructor(
    readonly node: MeshNode,
    private readonly options: MeshRuntimeOptions,
  ) {
    this.validator = new InboundValidator({
      verify: options.verify,
      authorize: options.authorize,
      onReject: (rejected, context) => {
        options.log.warn({ reason: rejected.reason, detail: rejected.detail, kind: rejected.kind, sender: rejected.senderHex, msgId: rejected.messageId, source: context.source }, 'message rejected')
        options.onReject?.(rejected, context.source)
      },
    })
    this.gossip = new MeshGossip(node.services.pubsub, this.validator, options.signer, options.log)
    this.blobs = new BlobStore(options.sha256, options.maxBlobStoreBytes)
  }

  async start(): Promise<void> {
    this.gossip.join(this.options.gossipKinds)
    await this.node.handle(
      TRANSFER_PROTOCOL,
      (stream, connection) => {
        void serveTransfer(stream, connection.remotePeer.publicKey?.raw, this.blobs, this.transferDeps(), `${TRANSFER_PROTOCOL} from ${connection.remotePeer}`)
      },
      { runOnLimitedConnection: true, maxInboundStreams: 64 },
    )
  }

  /** Fetches a blob from a peer, preferring a direct connection (relayed streams die on upgrade). */
  fetchBlob(peer: PeerId, sha256: Uint8Array, options: FetchOptions = {}): Promise<Uint8Array> {
    const fetched = fetchBlob(
      async () => {
        const connection = this.bestConnection(peer) ?? (await this.node.dial(peer, { signal: options.signal }))
        const stream = await connection.newStream(TRANSFER_PROTOCOL, { signal: options.signal, runOnLimitedConnection: true })
        return { stream, remotePublicKey: peer.publicKey?.raw }
      },
      sha256,
      this.transferDeps(),
      options,
    )
    const onTransfer = this.options.onTransfer
    if (onTransfer) fetched.then((bytes) => onTransfer('fetched', true, bytes.length), () => onTransfer('fetched', false, 0))
    return fetched
  }

  bestConnection(peer: PeerId): Connection | undefined {
    const open = this.node.getConnections(peer).filter((c) => c.status === 'open')
    return open.find((c) => isDirectConnection(c.remoteAddr.toString())) ?? open[0]
  }

  private transferDeps() {
    const onTransfer = this.options.onTransfer
    return {
      validator: this.validator,
      signer: this.options.signer,
      sha256: this.options.sha256,
      log: this.options.log,
      onServed: onTransfer ? (bytes: number, ok: boolean) => onTransfer('served', ok, bytes) : undefined,
    }
  }
}
