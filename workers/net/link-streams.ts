/**
 * Opening a stream on the link a peer is expected to answer on (MeshRuntime.openStream), with
 * the libp2p parts passed in so that the decision is tested without a network.
 */
import type { Stream } from '@libp2p/interface'

export interface StreamLink {
  newStream(protocol: string, options: { signal?: AbortSignal; runOnLimitedConnection: boolean }): Promise<Stream>
}

export interface LinkChoice<C extends StreamLink> {
  /** The connection streams go to now (keptLink, else one without relay limits), or none. */
  best(): C | undefined
  dial(signal?: AbortSignal): Promise<C>
  /** Whether a stream that goes unanswered here could go elsewhere: a direct link with a twin beside it. */
  replaceable(connection: C): boolean
  /** The link went unanswered; best() leaves it out from now on. */
  unanswered(connection: C): void
}

/**
 * Opens `protocol` on the best link. A link that could be replaced gets `answerMs` to accept the
 * stream: a twin whose far end the peer has closed never does (this end learns of the close
 * only when ICE gives up). It is then marked and the stream opens on the next best link, within
 * the caller's own signal.
 */
export async function openOnAnsweringLink<C extends StreamLink>(
  choice: LinkChoice<C>,
  protocol: string,
  answerMs: number,
  signal?: AbortSignal,
): Promise<Stream> {
  const connection = choice.best() ?? (await choice.dial(signal))
  if (!choice.replaceable(connection)) return connection.newStream(protocol, { signal, runOnLimitedConnection: true })
  const deadline = AbortSignal.timeout(answerMs)
  try {
    return await connection.newStream(protocol, {
      signal: signal ? AbortSignal.any([signal, deadline]) : deadline,
      runOnLimitedConnection: true,
    })
  } catch (error) {
    if (signal?.aborted || !deadline.aborted) throw error
    choice.unanswered(connection)
    const next = choice.best() ?? (await choice.dial(signal))
    return next.newStream(protocol, { signal, runOnLimitedConnection: true })
  }
}
