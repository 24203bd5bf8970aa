import type { Codec } from 'protons-runtime'
import type { Role } from './roles'

/**
 * How a kind travels: gossip carries small broadcasts, streams carry requests and bulk data,
 * http is a request a node posts to the relay that served its page (joining, admin grants).
 */
export type Carrier = 'gossip' | 'stream' | 'http'

/**
 * Who may send a kind:
 * - 'anyone': no credential needed (announcing yourself, asking to join);
 * - 'any-role': any sender with a valid credential, whatever its roles;
 * - a role list: a valid credential holding at least one of them.
 */
export type Senders = 'anyone' | 'any-role' | readonly Role[]

export interface DecodeLimits {
  readonly [field: string]: number | DecodeLimits
}

/** Everything the mesh needs to know about one message kind, declared by the module that owns it. */
export interface KindSpec<T> {
  readonly codec: Codec<T>
  readonly carrier: Carrier
  /** Largest encoded envelope accepted for this kind. */
  readonly maxEnvelopeBytes: number
  /** Most elements accepted in each repeated field while decoding (nested messages get an object), so a tiny message cannot claim huge arrays. */
  readonly limits?: DecodeLimits
  /** The roles allowed to send it (RBAC), checked by the inbound gate after the signature. */
  readonly senders: Senders
}

/**
 * Kind name → payload type. Each module that owns kinds extends this interface (module
 * augmentation, see e.g. workers/net/kinds.ts), so the protocol layer can type every kind
 * without importing the modules that define them.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export interface MessageKindMap {}

export type MessageKind = keyof MessageKindMap & string
export type PayloadOf<K extends MessageKind> = MessageKindMap[K]

/** The complete registry a node runs with: one spec per kind, assembled in workers/kinds.ts. */
export type KindRegistry = { readonly [K in MessageKind]: KindSpec<PayloadOf<K>> }

/** Payload types of a module's kinds, for its augmentation of MessageKindMap. */
export type PayloadsOf<Specs> = { [K in keyof Specs]: Specs[K] extends KindSpec<infer T> ? T : never }

/** Dot-separated lowercase segments ("fl.update.submit"); no wildcards, no empty segments. */
export const KIND_SYNTAX = /^[a-z][a-z0-9-]*(\.[a-z0-9][a-z0-9-]*)+$/
export const MAX_KIND_LENGTH = 128

/** A module's kinds, checked for well-formed names where they are declared. */
export function defineKinds<const Specs extends Record<string, KindSpec<any>>>(specs: Specs): Specs {
  for (const name of Object.keys(specs)) {
    if (name.length > MAX_KIND_LENGTH || !KIND_SYNTAX.test(name)) throw new Error(`message kind '${name}' is not a valid kind name`)
  }
  return specs
}

export function isMessageKind(kinds: KindRegistry, kind: string): kind is MessageKind {
  return Object.hasOwn(kinds, kind)
}

/**
 * No envelope arriving by `carrier` (by any carrier, without one) may exceed this; checked
 * before decoding anything. Per carrier, so that a large stream-only kind (a secure-aggregation
 * input) does not let multi-megabyte gossip reach the decoder.
 */
export function maxEnvelopeBytes(kinds: KindRegistry, carrier?: Carrier): number {
  const sizes = Object.values<KindSpec<unknown>>(kinds)
    .filter((k) => carrier === undefined || k.carrier === carrier)
    .map((k) => k.maxEnvelopeBytes)
  return sizes.length > 0 ? Math.max(...sizes) : 0
}

export const KiB = 1024

/**
 * Joins modules' kinds into the registry, refusing a name that two modules both claim. `All`
 * (the intersection of the groups' types) must cover every kind in MessageKindMap, so a
 * module's kinds that were declared but not combined fail to compile.
 */
export function combineKinds<All extends KindRegistry>(...groups: readonly Record<string, KindSpec<any>>[]): All {
  const all: Record<string, KindSpec<unknown>> = {}
  for (const group of groups) {
    for (const [name, spec] of Object.entries(group)) {
      if (Object.hasOwn(all, name)) throw new Error(`message kind '${name}' is declared twice`)
      all[name] = spec
    }
  }
  return Object.freeze(all) as unknown as All
}
