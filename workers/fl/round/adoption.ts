/**
 * What every node does with a certified commit before it trains on it (README, "Federated
 * round"): get the model (from its own store, else over the transfer protocol from whoever
 * serves it), check that its weights hash to the certified candidate, persist the round and
 * the model together, and write the `model.adopt` audit entry. The round host has already
 * checked the certificate against the pinned validator set.
 */
import type { AuditFields } from '../../security/audit/entry'
import { modelAdoptionEntry } from '../../security/wiring/audit-hooks'
import { encodeDescriptor } from './codec'
import { hashOf } from './identity'
import type { CommitProof, Hash } from './types'

export interface AdoptionDeps {
  /** This node's PeerId, the audit entry's actor. */
  readonly self: string
  /** The model's bytes (float32 little-endian weights) if this node holds them. */
  localModel(hash: Hash): Promise<Uint8Array | null>
  /** Fetches the model over a direct stream (never gossip); null when no peer could serve it. */
  fetchModel(hash: Hash): Promise<Uint8Array | null>
  /** Stores the round (descriptor and certificate) and the model in one transaction. */
  persist(
    round: { taskId: string; round: number; descriptor: Uint8Array; certificate: Uint8Array; modelHash: Hash },
    model: Uint8Array,
  ): Promise<void>
  audit(fields: AuditFields): Promise<unknown>
}

export type AdoptionResult = { readonly ok: true; readonly model: Uint8Array } | { readonly ok: false; readonly reason: string }

export async function adoptCommitted(proof: CommitProof, deps: AdoptionDeps): Promise<AdoptionResult> {
  const d = proof.descriptor
  let model = await deps.localModel(d.candidate)
  if (model && hashOf(model) !== d.candidate) model = null // a corrupted local copy: fetch again
  if (!model) {
    model = await deps.fetchModel(d.candidate)
    if (!model) return { ok: false, reason: `no peer served the model ${d.candidate.slice(0, 12)}… of round ${d.round}` }
    if (hashOf(model) !== d.candidate)
      return { ok: false, reason: `the model fetched for round ${d.round} does not match its certified hash` }
  }
  await deps.persist(
    { taskId: d.taskId, round: d.round, descriptor: encodeDescriptor(d), certificate: proof.certificate, modelHash: d.candidate },
    model,
  )
  await deps.audit(modelAdoptionEntry(deps.self, { round: d.round, modelHash: d.candidate, certificateHash: hashOf(proof.certificate) }))
  return { ok: true, model }
}
