import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { RelayProcess } from './harness/relay-process'
import { launchChromium, mesh, openDevice, waitForDirectPeers, waitForRelay, type Device } from './harness/browser'
import { createNodePeer, type NodePeer } from './harness/node-peer'
import { waitUntil } from './harness/wait'
import { sealMessage, sealRaw, signingBytes } from '../../workers/protocol/envelope'
import { Envelope } from '../../workers/protocol/wire.pb'
import { topicForKind } from '../../workers/net/gossip'
import { TRANSFER_PROTOCOL } from '../../workers/net/transfer'
import { identityFromSeed } from '../../workers/identity/ed25519'
import { hex } from '../../workers/common/bytes'
import { ed25519 } from '@noble/curves/ed25519.js'

const CHAT_TOPIC = topicForKind('mesh.chat')

// An attacker in Node sends malformed, oversized, forged and replayed messages by gossip and
// on streams to the relay and to a browser; both drop each with a counted, logged reason and
// keep serving the honest peers.
describe('hostile input', () => {
  let relay: RelayProcess
  let browser: Browser
  let honest: Device[] = []
  let ids: string[] = []
  let attacker: NodePeer

  beforeAll(async () => {
    relay = await RelayProcess.create()
    await relay.start()
    browser = await launchChromium()
    honest = [await openDevice(browser, relay.info!.url), await openDevice(browser, relay.info!.url)]
    ids = await Promise.all(honest.map((d) => mesh(d.page).peerId()))
    await Promise.all(honest.map((d) => waitForRelay(d.page)))
    await waitForDirectPeers(honest[0].page, [ids[1]])

    attacker = await createNodePeer(new Uint8Array(32).fill(66))
    await attacker.node.dial(multiaddr(relay.info!.multiaddrs[0]))
    // Reach the browser through its relay reservation, so hostile gossip arrives at it first-hand.
    const circuit = (await mesh(honest[0].page).multiaddrs()).find((a) => a.endsWith(`/p2p-circuit/p2p/${ids[0]}`))
    expect(circuit).toBeDefined()
    await attacker.node.dial(multiaddr(circuit!))
    await waitUntil(
      () => attacker.node.services.pubsub.getSubscribers(CHAT_TOPIC).map(String),
      (subs) => subs.includes(relay.info!.peerId) && subs.includes(ids[0]),
      'the attacker to see the relay and the browser subscribed',
    )
    // The attacker joins by the rules (anyone may be a trainer), so its well-formed messages
    // pass RBAC and only the malformed ones below are refused.
    const credential = await attacker.join(relay.info!.url)
    const attackerId = attacker.node.peerId.toString()
    await waitUntil(
      async () => {
        await attacker.present(credential)
        return honest[0].page.evaluate((id) => (window as any).agentMesh.knownRoles(id), attackerId)
      },
      (roles) => Array.isArray(roles),
      "the browser to admit the attacker's credential",
    )
  })

  afterAll(async () => {
    await attacker?.node.stop()
    await browser?.close()
    await relay?.stop()
  })

  it('drops hostile gossip at the relay and at the browser with a reason and a counter', async () => {
    const pubsub = attacker.node.services.pubsub
    const honestChat = sealMessage(attacker.signer, 'mesh.chat', { text: 'first and only', sentAtUs: 1n })
    const badSignature = Envelope.decode(sealMessage(attacker.signer, 'mesh.chat', { text: 'tampered', sentAtUs: 1n }))
    badSignature.signature[0] ^= 0xff
    const victim = identityFromSeed(new Uint8Array(32).fill(67))
    // Claims the victim's key but is signed with the attacker's.
    const impostor = { publicKey: victim.publicKey, sign: attacker.identity.sign }
    const impersonation = Envelope.decode(sealRaw({ ...attacker.signer, identity: impostor }, 'mesh.chat', new Uint8Array()))

    await pubsub.publish(CHAT_TOPIC, new Uint8Array([0xde, 0xad, 0xbe, 0xef, 0xff, 0xff]))
    await pubsub.publish(CHAT_TOPIC, sealRaw(attacker.signer, 'mesh.chat', new Uint8Array(20_000)))
    await pubsub.publish(CHAT_TOPIC, Envelope.encode(badSignature))
    await pubsub.publish(CHAT_TOPIC, Envelope.encode(impersonation))
    await pubsub.publish(CHAT_TOPIC, honestChat)
    // The same signed envelope with an unknown field appended, so its bytes (and so its
    // GossipSub message id) differ while its signature would still verify: refused as not
    // the canonical encoding (malformed) before it gets near the replay window.
    await pubsub.publish(CHAT_TOPIC, Uint8Array.from([...honestChat, 0x50, 0x01]))
    // A signed chat put first on the presence topic: refused as the wrong kind for the topic
    // without taking its replay slot or its GossipSub id, so it is still delivered below.
    const browserChat = sealMessage(attacker.signer, 'mesh.chat', { text: 'censor me not', sentAtUs: 1n })
    await pubsub.publish(topicForKind('mesh.presence'), browserChat)
    await pubsub.publish(CHAT_TOPIC, browserChat)

    // Impersonation fails on the signature: the envelope names the victim's key.
    const expected = { malformed: 2, oversized: 1, 'bad-signature': 2, 'wrong-topic': 1 }
    await expect.poll(async () => (await relay.health()).gate.rejected, { timeout: 15_000 }).toMatchObject(expected)
    await expect.poll(async () => (await mesh(honest[0].page).gate()).rejected, { timeout: 15_000 }).toMatchObject(expected)

    // The honest copy was delivered exactly once, and so was the browser's chat.
    await expect
      .poll(async () => (await mesh(honest[0].page).chats()).filter((c) => c.text === 'first and only').length, { timeout: 10_000 })
      .toBe(1)
    await expect
      .poll(async () => (await mesh(honest[0].page).chats()).filter((c) => c.text === 'censor me not').length, { timeout: 10_000 })
      .toBe(1)
    const metrics = await relay.metrics()
    for (const [reason, count] of Object.entries(expected))
      expect(metrics).toMatch(new RegExp(`mesh_messages_rejected_total\\{kind="(mesh\\.chat|unknown)",reason="${reason}"\\} ${count}\\n`))
    expect(relay.output.join('')).toMatch(/"reason":"bad-signature".*"msg":"message rejected"/)
    await expect.poll(() => honest[0].page.locator('[data-reason="wrong-topic"]').getAttribute('data-count')).toBe('1')
  })

  it('drops hostile stream requests at the browser and at the relay', async () => {
    const targets = [peerIdFromString(ids[0]), peerIdFromString(relay.info!.peerId)]
    const before = [(await mesh(honest[0].page).gate()).rejected, (await relay.health()).gate.rejected]
    const stranger = identityFromSeed(new Uint8Array(32).fill(68))
    const validRequest = sealMessage(attacker.signer, 'transfer.request', { sha256: new Uint8Array(32), fromChunk: 0 })
    const hostile: Uint8Array[] = [
      new Uint8Array([1, 2, 3, 250, 251]),
      sealMessage({ ...attacker.signer, identity: stranger }, 'transfer.request', { sha256: new Uint8Array(32), fromChunk: 0 }),
      validRequest,
      validRequest,
    ]
    for (const target of targets) {
      for (const bytes of hostile) {
        const stream = await attacker.node.dialProtocol(target, TRANSFER_PROTOCOL, { runOnLimitedConnection: true })
        const lp = lpStream(stream)
        await lp.write(bytes)
        await lp.read({ signal: AbortSignal.timeout(5_000) }).catch(() => null)
        stream.abort(new Error('done'))
      }
      // A length prefix far over the limit is refused before anything is buffered.
      const stream = await attacker.node.dialProtocol(target, TRANSFER_PROTOCOL, { runOnLimitedConnection: true })
      stream.send(new Uint8Array([0xff, 0xff, 0xff, 0x0f]))
      await new Promise((r) => setTimeout(r, 300))
      stream.abort(new Error('done'))
    }
    for (const [i, read] of [() => mesh(honest[0].page).gate(), () => relay.health().then((h) => h.gate)].entries()) {
      await expect
        .poll(
          async () => {
            const now = (await read()).rejected
            return Object.fromEntries(['malformed', 'sender-mismatch', 'replay', 'oversized'].map((r) => [r, now[r] - before[i][r]]))
          },
          { timeout: 15_000 },
        )
        .toEqual({ malformed: 1, 'sender-mismatch': 1, replay: 1, oversized: 1 })
    }
  })

  it('keeps serving honest peers after the attack', async () => {
    await mesh(honest[1].page).publishChat('still here')
    await expect
      .poll(async () => (await mesh(honest[0].page).chats()).some((c) => c.text === 'still here' && c.from === ids[1]), { timeout: 15_000 })
      .toBe(true)
    const hash = await mesh(honest[0].page).addBlob(300_000, 5)
    const blob = await attacker.runtime.fetchBlob(peerIdFromString(ids[0]), Uint8Array.from(Buffer.from(hash, 'hex')))
    expect(hex(new Uint8Array(await crypto.subtle.digest('SHA-256', blob as Uint8Array<ArrayBuffer>)))).toBe(hash)
    const got = await mesh(honest[1].page).fetchBlob(ids[0], hash)
    expect(got.sha256).toBe(hash)
    expect((await relay.health()).ok).toBe(true)
    // signingBytes is exported for exactly this kind of check: the attacker's honest envelopes still verify.
    const envelope = Envelope.decode(sealMessage(attacker.signer, 'mesh.chat', { text: 'x', sentAtUs: 1n }))
    expect(ed25519.verify(envelope.signature, signingBytes(envelope), attacker.identity.publicKey)).toBe(true)
  })
})
