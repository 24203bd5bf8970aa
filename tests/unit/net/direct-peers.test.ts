import { describe, expect, it } from 'vitest'
import { isIdle, keptTwin, RELAYED_SETTLE_MS, relayedToClose, ringNeighbours, webrtcLinkKey } from '../../../workers/net/direct-peers'

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

  describe('twin direct links', () => {
    // The same two links as each side sees them: A's outbound is B's inbound.
    const mirror = (links: { direction: 'inbound' | 'outbound'; open: number; name: string }[]) =>
      links.map((l) => ({ ...l, direction: l.direction === 'outbound' ? ('inbound' as const) : ('outbound' as const) }))
    const asTwin = <L extends { direction: 'inbound' | 'outbound'; open: number; name: string }>(l: L) => ({
      ...l,
      timeline: { open: l.open },
    })

    it('keeps, on both sides, the link the smaller PeerId dialled', () => {
      const atA = [
        { direction: 'inbound' as const, open: 100, name: 'b-dialled' },
        { direction: 'outbound' as const, open: 300, name: 'a-dialled' },
      ]
      expect(keptTwin('peer-a', 'peer-b', atA.map(asTwin))?.name).toBe('a-dialled')
      expect(keptTwin('peer-b', 'peer-a', mirror(atA).map(asTwin))?.name).toBe('a-dialled')
    })

    it('keeps the oldest on both sides when one peer dialled both links', () => {
      for (const direction of ['inbound', 'outbound'] as const) {
        const atA = [
          { direction, open: 900, name: 'late' },
          { direction, open: 200, name: 'first' },
          { direction, open: 500, name: 'second' },
        ]
        expect(keptTwin('peer-a', 'peer-b', atA.map(asTwin))?.name).toBe('first')
        // The other side's clock differs, but the order of opening is the same.
        expect(
          keptTwin(
            'peer-b',
            'peer-a',
            mirror(atA).map((l) => asTwin({ ...l, open: l.open + 40 })),
          )?.name,
        ).toBe('first')
      }
    })

    it('keeps the link with the smallest link key on both sides, whatever each side saw first', () => {
      // Each side's clock put the two links in a different order (both dialled by peer-a, finished
      // together under load): by age the sides would disagree; by key they cannot.
      const atA = [
        { direction: 'outbound' as const, open: 100, name: 'x', key: 'u2 v9' },
        { direction: 'outbound' as const, open: 120, name: 'y', key: 'k1 w3' },
      ]
      const atB = [
        { direction: 'inbound' as const, open: 130, name: 'x', key: 'u2 v9' },
        { direction: 'inbound' as const, open: 110, name: 'y', key: 'k1 w3' },
      ]
      const byKey = (l: { key: string }) => l.key
      expect(keptTwin('peer-a', 'peer-b', atA.map(asTwin))?.name).toBe('x')
      expect(keptTwin('peer-b', 'peer-a', atB.map(asTwin))?.name).toBe('y')
      expect(keptTwin('peer-a', 'peer-b', atA.map(asTwin), { keyOf: byKey })?.name).toBe('y')
      expect(keptTwin('peer-b', 'peer-a', atB.map(asTwin), { keyOf: byKey })?.name).toBe('y')
      // A link without a key (not WebRTC, or not yet described) falls back to direction and age.
      expect(keptTwin('peer-a', 'peer-b', atA.map(asTwin), { keyOf: (l) => (l.name === 'x' ? undefined : l.key) })?.name).toBe('x')
    })

    it('keeps only a link the peer has answered on, when there is one', () => {
      // 'half' has the smallest key, but the peer gave up on that dial: it never answered on it.
      const links = [
        { direction: 'inbound' as const, open: 100, name: 'half', key: 'a1 a2' },
        { direction: 'inbound' as const, open: 200, name: 'live', key: 'b1 b2' },
        { direction: 'inbound' as const, open: 300, name: 'live too', key: 'c1 c2' },
      ].map(asTwin)
      const keyOf = (l: { key: string }) => l.key
      expect(keptTwin('peer-b', 'peer-a', links, { keyOf })?.name).toBe('half')
      expect(keptTwin('peer-b', 'peer-a', links, { keyOf, answered: (l) => l.name !== 'half' })?.name).toBe('live')
      // No link answered yet (all just opened): the choice falls back to all of them.
      expect(keptTwin('peer-b', 'peer-a', links, { keyOf, answered: () => false })?.name).toBe('half')
    })

    it('leaves out a link that went unanswered here while another remains, answered or not', () => {
      // 'closed' has the smallest key and was answered on once, but the peer has since closed its end:
      // a ping on it timed out here. The peer, which no longer has it, keeps 'other'.
      const links = [
        { direction: 'outbound' as const, open: 100, name: 'closed', key: 'a1 a2' },
        { direction: 'inbound' as const, open: 200, name: 'other', key: 'b1 b2' },
      ].map(asTwin)
      const keyOf = (l: { key: string }) => l.key
      const answered = (l: { name: string }) => l.name === 'closed'
      expect(keptTwin('peer-a', 'peer-b', links, { keyOf, answered })?.name).toBe('closed')
      expect(keptTwin('peer-a', 'peer-b', links, { keyOf, answered, unanswering: (l) => l.name === 'closed' })?.name).toBe('other')
      // Every link went unanswered: the choice falls back to all of them, never to none.
      expect(keptTwin('peer-a', 'peer-b', links, { keyOf, answered, unanswering: () => true })?.name).toBe('closed')
    })

    it('names a WebRTC link alike from both ends: the two ICE usernames, sorted', () => {
      const sdp = (ufrag: string) => `v=0\r\no=- 1 2 IN IP4 127.0.0.1\r\na=ice-ufrag:${ufrag}\r\na=ice-pwd:secret\r\n`
      const end = (local: string, remote: string) => ({
        maConn: { peerConnection: { localDescription: { sdp: sdp(local) }, remoteDescription: { sdp: sdp(remote) } } },
      })
      expect(webrtcLinkKey(end('Ab3x', 'q9Zt'))).toBe('Ab3x q9Zt')
      expect(webrtcLinkKey(end('q9Zt', 'Ab3x'))).toBe(webrtcLinkKey(end('Ab3x', 'q9Zt')))
      expect(webrtcLinkKey(end('Ab3x', 'q9Zu'))).not.toBe(webrtcLinkKey(end('Ab3x', 'q9Zt')))
      expect(
        webrtcLinkKey({ maConn: { peerConnection: { localDescription: { sdp: sdp('Ab3x') }, remoteDescription: null } } }),
      ).toBeUndefined()
      expect(webrtcLinkKey({ maConn: {} })).toBeUndefined()
      expect(webrtcLinkKey({})).toBeUndefined()
    })

    it('has nothing to keep without links', () => {
      expect(keptTwin('peer-a', 'peer-b', [])).toBeUndefined()
    })
  })
})

describe('relayed connections between pages', () => {
  const settled = {
    openForMs: RELAYED_SETTLE_MS,
    streamProtocols: ['/meshsub/1.2.0', '/ipfs/id/1.0.0'],
    dialing: false,
    direct: true,
    wanted: true,
  }

  it('closes an idle one once the direct link is up, and one to a peer we want no link with', () => {
    expect(relayedToClose(settled)).toBe(true)
    expect(relayedToClose({ ...settled, direct: false, wanted: false })).toBe(true)
    expect(relayedToClose({ ...settled, streamProtocols: [] })).toBe(true)
  })

  it('keeps the fallback of a wanted peer that has no direct link yet', () => {
    expect(relayedToClose({ ...settled, direct: false, wanted: true })).toBe(false)
  })

  it('never closes one in use, one still negotiating a stream, one a dial is signalling on, or a young one', () => {
    for (const busy of [
      '/agent-mesh/transfer/1.0.0',
      '/webrtc-signaling/0.0.1',
      '/ipfs/ping/1.0.0',
      '/agent-mesh/channel/1.0.0/raft.message.direct',
    ])
      expect(relayedToClose({ ...settled, streamProtocols: ['/meshsub/1.2.0', busy] }), busy).toBe(false)
    expect(relayedToClose({ ...settled, streamProtocols: ['/meshsub/1.2.0', undefined] })).toBe(false)
    expect(relayedToClose({ ...settled, dialing: true })).toBe(false)
    expect(relayedToClose({ ...settled, openForMs: RELAYED_SETTLE_MS - 1, wanted: false })).toBe(false)
  })
})
