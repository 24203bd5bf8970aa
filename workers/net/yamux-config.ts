import { yamux } from '@chainsafe/libp2p-yamux'
import { StreamState, YamuxStream } from '@chainsafe/libp2p-yamux/stream'

/**
 * @chainsafe/libp2p-yamux 8 answers every data frame it receives with a window-update frame, so
 * every gossip message a node forwards comes back to it as a frame of its own (Noise decrypt,
 * yamux parse, an event-loop turn, a syscall), and every node sends one per message it receives:
 * on the relay that doubled the frames it handles per forwarded copy. Yamux only needs an
 * update before the sender runs out of window; Go's and Rust's yamux send one once half the
 * window is consumed, and so does this. The window's auto-tuning (doubling when updates come
 * within four round trips) and the stream's opening (SYN/ACK) and pause/resume are untouched:
 * only an update on an established stream with more than half its window still open is skipped,
 * which leaves the sender at least half a window (128 KiB at first) to send without waiting.
 * Every node (relay, pages, tests' and benchmarks' peers) gets it through meshYamux.
 */
const installed = Symbol('agent-mesh:yamux-half-window-updates')

interface WindowState {
  state: StreamState
  recvWindow: number
  recvWindowCapacity: number
}

export function installHalfWindowUpdates(): void {
  const proto = YamuxStream.prototype as unknown as { sendWindowUpdate: () => void; [installed]?: true }
  if (proto[installed]) return
  const sendWindowUpdate = proto.sendWindowUpdate
  if (typeof sendWindowUpdate !== 'function')
    throw new Error('@chainsafe/libp2p-yamux YamuxStream has no sendWindowUpdate(); see workers/net/yamux-config.ts')
  proto.sendWindowUpdate = function (this: WindowState) {
    if (this.state === StreamState.Established && this.recvWindowCapacity * 2 > this.recvWindow) return
    sendWindowUpdate.call(this)
  }
  proto[installed] = true
}

/** The stream muxer every node of the mesh uses: yamux with window updates at half the window. */
export function meshYamux(...init: Parameters<typeof yamux>): ReturnType<typeof yamux> {
  installHalfWindowUpdates()
  return yamux(...init)
}
