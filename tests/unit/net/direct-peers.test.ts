import { describe, expect, it } from 'vitest'
import { isIdle, ringNeighbours } from '../../../workers/net/direct-peers'

const ids = Array.from({ length: 50 }, (_, i) => `peer-${String(i).padStart(2, '0')}`)

describe('bounded direct peers', () => {
  it('connects to everyone while the mesh is small', () => {
    expect(ringNeighbours('peer-00', ids.slice(0, 8), 8)).toEqual(new Set(ids.slice(1, 8)))
  })

  it('keeps each node within the bound, symmetrically, with every node reachable', () => {
    const links = new Map(ids.map((id) => [id, ringNeighbours(id, ids, 8)]))
    for (const [id, chosen] of links) {
      expect(chosen.size).toBe(8)
      expect(chosen.has(id)).toBe(false)
      for (const other of chosen) expect(links.get(other)!.has(id)).toBe(true)
    }
    const reached = new Set(['peer-00'])
    const frontier = ['peer-00']
    while (frontier.length) {
      for (const next of links.get(frontier.pop()!)!) {
        if (reached.has(next)) continue
        reached.add(next)
        frontier.push(next)
      }
    }
    expect(reached.size).toBe(ids.length)
  })

  it('honours an odd bound', () => {
    expect(ringNeighbours('peer-10', ids, 5).size).toBe(5)
  })

  it('treats a connection as idle only when background protocols alone use it', () => {
    expect(isIdle(['/meshsub/1.2.0', '/meshsub/1.2.0', '/ipfs/id/1.0.0'])).toBe(true)
    expect(isIdle(['/meshsub/1.2.0', '/ipfs/ping/1.0.0'])).toBe(false)
    expect(isIdle([])).toBe(true)
    expect(isIdle(['/meshsub/1.2.0', '/agent-mesh/transfer/1.0.0'])).toBe(false)
    expect(isIdle([undefined])).toBe(false)
  })
})
