/**
 * A transfer that began on a relayed connection moves to the direct link as soon as one to the
 * same peer opens (MeshRuntime.fetchBlob). Relayed bytes cross the relay and both pages'
 * WebSockets under a 256 KiB yamux window: in the round bench a 1 MiB fetch that started there
 * (its WebRTC link not up after the 15 s a fetcher waits) took 40-51 s, while the direct link to
 * the same page came up 20-45 s in and went unused. The fetch resumes at its first missing chunk,
 * so moving costs one stream and no bytes already checked.
 */
import type { Connection, Stream } from '@libp2p/interface'
import { isDirectConnection } from './connection-kind'

/** The part of a libp2p node this needs: its connection events. */
export interface ConnectionEvents {
  addEventListener(type: 'connection:open', listener: (event: CustomEvent<Connection>) => void): void
  removeEventListener(type: 'connection:open', listener: (event: CustomEvent<Connection>) => void): void
}

export class MovedToDirectLinkError extends Error {
  override name = 'MovedToDirectLinkError'
}

/**
 * Aborts `stream` (a transfer on a relayed connection to `peer`) when a direct link to `peer`
 * opens, so the fetch resumes there; at once when `directNow` (the link opened while the relayed
 * stream was being negotiated, which took seconds under load: the bench saw links open 1-2 s
 * into a relayed fetch that then ran 48 s). Stops watching once the stream closes. Returns a
 * function that stops watching.
 */
export function moveToDirectLinkWhenUp(
  node: ConnectionEvents,
  peer: string,
  stream: Pick<Stream, 'abort' | 'addEventListener'>,
  onMove: () => void,
  directNow = false,
): () => void {
  const move = () => {
    stop()
    onMove()
    stream.abort(new MovedToDirectLinkError('a direct link to the peer opened; the transfer resumes there'))
  }
  const onOpen = (event: CustomEvent<Connection>) => {
    const connection = event.detail
    if (connection.remotePeer.toString() === peer && isDirectConnection(connection.remoteAddr.toString())) move()
  }
  let watching = true
  const stop = () => {
    if (!watching) return
    watching = false
    node.removeEventListener('connection:open', onOpen)
  }
  node.addEventListener('connection:open', onOpen)
  stream.addEventListener('close', stop, { once: true })
  if (directNow) move()
  return stop
}
