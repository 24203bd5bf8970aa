import { describe, expect, it } from 'vitest'
import type { Stream } from '@libp2p/interface'
import { openOnAnsweringLink, type LinkChoice, type StreamLink } from '../../../workers/net/link-streams'

/** A link that accepts streams at once, or one whose far end is gone: its streams wait until their signal aborts. */
function link(name: string, answers: boolean): StreamLink & { name: string; opened: number } {
  return {
    name,
    opened: 0,
    newStream(_protocol, { signal }) {
      this.opened++
      if (answers) return Promise.resolve({ name } as unknown as Stream)
      return new Promise((_, reject) => signal?.addEventListener('abort', () => reject(signal.reason)))
    },
  }
}

type Link = ReturnType<typeof link>

function choice(links: Link[], replaceable = true): LinkChoice<Link> & { unansweredLinks: string[]; dials: number } {
  const unansweredLinks: string[] = []
  return {
    unansweredLinks,
    dials: 0,
    best: () => links.find((l) => !unansweredLinks.includes(l.name)),
    async dial() {
      this.dials++
      return link('dialled', true)
    },
    replaceable: () => replaceable,
    unanswered: (l) => unansweredLinks.push(l.name),
  }
}

const nameOf = (stream: Stream) => (stream as unknown as { name: string }).name

describe('opening a stream on a link that answers', () => {
  it('uses the best link when it answers, marking nothing', async () => {
    const links = [link('kept', true), link('other', true)]
    const c = choice(links)
    expect(nameOf(await openOnAnsweringLink(c, '/p', 200))).toBe('kept')
    expect(c.unansweredLinks).toEqual([])
  })

  it('marks a link that does not accept the stream in time and opens it on the next one', async () => {
    const links = [link('dead twin', false), link('live twin', true)]
    const c = choice(links)
    expect(nameOf(await openOnAnsweringLink(c, '/p', 100))).toBe('live twin')
    expect(c.unansweredLinks).toEqual(['dead twin'])
    // Later streams go straight to the link that answers.
    expect(nameOf(await openOnAnsweringLink(c, '/p', 100))).toBe('live twin')
    expect(links[0].opened).toBe(1)
  })

  it('dials when the link left after a dead one is none', async () => {
    const c = choice([link('dead', false)])
    expect(nameOf(await openOnAnsweringLink(c, '/p', 100))).toBe('dialled')
    expect(c.dials).toBe(1)
  })

  it("leaves a link without an alternative to the caller's own signal, marking nothing", async () => {
    const c = choice([link('only', false)], false)
    const caller = AbortSignal.timeout(300)
    await expect(openOnAnsweringLink(c, '/p', 50, caller)).rejects.toThrow()
    expect(caller.aborted).toBe(true)
    expect(c.unansweredLinks).toEqual([])
  })

  it("gives up with the caller when the caller's signal ends first", async () => {
    const c = choice([link('dead', false), link('live', true)])
    await expect(openOnAnsweringLink(c, '/p', 5_000, AbortSignal.timeout(50))).rejects.toThrow()
    expect(c.unansweredLinks).toEqual([])
  })
})
