import { describe, expect, it } from 'vitest'
import { adoptCommitted, type AdoptionDeps } from '../../../workers/fl/round/adoption'
import { hashOf, type CommitProof } from '../../../workers/fl/round'
import type { AuditFields } from '../../../workers/security/audit/entry'

const model = new Uint8Array([1, 2, 3, 4])
const proof: CommitProof = {
  descriptor: {
    taskId: 'task',
    round: 3,
    attempt: 0,
    aggregator: 'agg',
    baseModel: hashOf(new Uint8Array([0])),
    inputs: [],
    candidate: hashOf(model),
  },
  certificate: new Uint8Array([9, 9, 9]),
}

function deps(local: Uint8Array | null, remote: Uint8Array | null) {
  const persisted: unknown[] = []
  const audited: AuditFields[] = []
  const fetched: string[] = []
  const d: AdoptionDeps = {
    self: 'me',
    localModel: async () => local,
    fetchModel: async (hash) => {
      fetched.push(hash)
      return remote
    },
    persist: async (round, weights) => void persisted.push({ round, weights }),
    audit: async (fields) => void audited.push(fields),
  }
  return { d, persisted, audited, fetched }
}

describe('adopting a certified model', () => {
  it('uses the local copy, persists round and model, and writes model.adopt', async () => {
    const { d, persisted, audited, fetched } = deps(model, null)
    expect(await adoptCommitted(proof, d)).toEqual({ ok: true, model })
    expect(fetched).toEqual([])
    expect(persisted).toHaveLength(1)
    expect(audited).toEqual([
      {
        event: 'model.adopt',
        actor: 'me',
        subject: hashOf(model),
        details: { round: '3', modelHash: hashOf(model), certificateHash: hashOf(proof.certificate) },
      },
    ])
  })

  it('fetches when the local copy is missing or corrupt, and refuses a model that does not match the certified hash', async () => {
    const corrupt = deps(new Uint8Array([7]), model)
    expect((await adoptCommitted(proof, corrupt.d)).ok).toBe(true)
    expect(corrupt.fetched).toEqual([hashOf(model)])
    const wrong = deps(null, new Uint8Array([5]))
    expect(await adoptCommitted(proof, wrong.d)).toEqual({
      ok: false,
      reason: 'the model fetched for round 3 does not match its certified hash',
    })
    expect(wrong.persisted).toEqual([])
    expect(wrong.audited).toEqual([])
    expect(await adoptCommitted(proof, deps(null, null).d)).toMatchObject({ ok: false, reason: expect.stringContaining('no peer served') })
  })
})
