/**
 * The outside world of a validator, as the consensus adapter sees it. Each piece is small so
 * that the relay (gossip over libp2p, SQLite) and browsers (the same gossip, Dexie) can
 * supply their own, and tests can supply in-memory ones.
 */
import type { CommitCertificate, SetChange, ValidatorChain } from '../certificate'
import type { BftMessage } from '../bft'

/** Carries encoded BFT messages among validators. */
export interface BftTransport {
  /**
   * Sends one encoded BftMessage to every validator (best effort: the core re-sends what
   * matters). `traceparent`, when given, travels in the envelope (W3C trace context).
   */
  publish(payload: Uint8Array, traceparent?: string): Promise<void>
  /**
   * Delivers encoded BftMessages with the Ed25519 key of the node that sent them, which the
   * transport must have authenticated (the envelope signature, checked by the inbound gate),
   * and the envelope's traceparent if it had one.
   */
  subscribe(handler: (payload: Uint8Array, senderPublicKey: Uint8Array, traceparent?: string) => void): () => void
  /**
   * Optional catch-up channel: asks the validators for stored decisions from `fromHeight` on, and
   * delivers such requests with the authenticated sender's key. Without it a node far behind with
   * nothing signed to show (one just added) cannot catch up.
   */
  requestCatchUp?(fromHeight: number): Promise<void>
  subscribeCatchUp?(handler: (fromHeight: number, senderPublicKey: Uint8Array) => void): () => void
}

/**
 * Watches the messages of consensus go by (tracing, finality metrics); never changes them.
 * `sending` returns the traceparent to put in the outgoing envelope.
 */
export interface ConsensusObserver {
  received(message: BftMessage, traceparent: string | undefined): void
  sending(message: BftMessage): string | undefined
  decided(decision: { readonly height: number; readonly round: number; readonly signers: number }): void
}

/** A decided height as it is stored: the value and its commit certificate, encoded. */
export interface DecisionRecord {
  readonly height: number
  readonly round: number
  readonly value: Uint8Array
  /** encodeCertificate(certificate) */
  readonly certificate: Uint8Array
  /** This node's wall clock when it decided. */
  readonly decidedAtMs: number
}

/**
 * Durable storage for one validator. saveState must be durable when its promise resolves:
 * the adapter sends a step's messages only after that, so a crash never makes it sign twice.
 */
export interface ConsensusStore {
  loadState(): Promise<Uint8Array | null>
  saveState(state: Uint8Array): Promise<void>
  saveDecision(decision: DecisionRecord): Promise<void>
  lastDecision(): Promise<DecisionRecord | null>
  /** Stored decisions from `height` on, in height order, at most `limit`: served to validators catching up. */
  decisionsFrom(height: number, limit: number): Promise<DecisionRecord[]>
}

/** What the application knows when asked about a height: the decision before it, if any. */
export interface HeightContext {
  readonly height: number
  /** The value decided at height - 1 (null at the first height this node knows of). */
  readonly previous: { readonly height: number; readonly value: Uint8Array } | null
  /** With validator-set changes: the chain recorded up to height - 1 (each height's set, the last change). */
  readonly chain?: ValidatorChain | null
}

/** The application consensus serves: it builds the values this node proposes and judges everyone else's. */
export interface BftApplication {
  proposeValue(context: HeightContext): Promise<Uint8Array>
  validateValue(context: HeightContext, value: Uint8Array): Promise<boolean>
}

/** A monotonic millisecond clock and one-shot timers; performance.now and setTimeout by default. */
export interface AdapterClock {
  now(): number
  wallNow(): number
  setTimer(ms: number, run: () => void): () => void
}

export interface AdapterDecision {
  readonly height: number
  readonly round: number
  readonly value: Uint8Array
  readonly certificate: CommitCertificate
  readonly decidedAtMs: number
  /** The validator-set change this height decided, and the first height the new set decides. */
  readonly setChange?: { readonly change: SetChange; readonly from: number }
}
