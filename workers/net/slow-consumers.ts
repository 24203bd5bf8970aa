/**
 * Bounds what this node queues for a peer that does not read. libp2p's streams buffer whatever
 * is sent on them without limit (yamux leaves maxWriteBufferLength at Infinity) once the peer's
 * receive window is full, so one peer that stops reading — a frozen tab, or an attacker that
 * subscribes and never reads — grows a relay's memory by the whole gossip rate: at 100 peers
 * under a flood the relay bench saw 1 GB resident. Setting GossipSub's own buffer limit would
 * not do: it resets the stream, and GossipSub never opens another, so the peer would stay
 * connected and silently deaf. Closing the connection instead is seen by both ends: an honest
 * page redials (MeshClient) and catches up by pulling, as after any dropped connection.
 */

/** Queued bytes at which a peer's connection is closed: 32 yamux windows (256 KiB each) behind, far past a brief burst. */
export const SLOW_CONSUMER_LIMIT_BYTES = 8 * 2 ** 20
/** How often connections are checked: at 5,000 gossip messages/s of 500 bytes a peer queues 2.5 MB/s. */
export const SLOW_CONSUMER_CHECK_MS = 1_000

interface QueuedStream {
  readonly writeBufferLength: number
}

export interface WatchedConnection {
  readonly status: string
  readonly streams: readonly QueuedStream[]
}

/** Bytes this end has queued on a connection's streams that the peer has not yet taken. */
export function queuedBytes(connection: WatchedConnection): number {
  let total = 0
  for (const stream of connection.streams) total += stream.writeBufferLength ?? 0
  return total
}

/** The open connections whose queues have passed `limitBytes`, with how much each holds. */
export function slowConsumers<C extends WatchedConnection>(
  connections: readonly C[],
  limitBytes: number,
): { connection: C; queuedBytes: number }[] {
  const slow: { connection: C; queuedBytes: number }[] = []
  for (const connection of connections) {
    if (connection.status !== 'open') continue
    const queued = queuedBytes(connection)
    if (queued > limitBytes) slow.push({ connection, queuedBytes: queued })
  }
  return slow
}
