import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { Browser } from 'playwright-core'
import { spawnSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { multiaddr } from '@multiformats/multiaddr'
import { peerIdFromString } from '@libp2p/peer-id'
import { lpStream } from '@libp2p/utils'
import { privateKeyFromProtobuf } from '@libp2p/crypto/keys'
import { RelayProcess } from './harness/relay-process'
import { launchChromium, mesh, openDevice, waitForDirectPeers, waitForNode, waitForRelay, type Device } from './harness/browser'
import { createNodePeer, fetchTrust, type NodePeer } from './harness/node-peer'
import { waitUntil } from './harness/wait'
import { sealMessage } from '../../workers/protocol/envelope'
import { topicForKind } from '../../workers/net/gossip'
import { TRANSFER_PROTOCOL } from '../../workers/net/transfer'
import { loadAuthority } from '../../relay/ca-files'
import { issueCredential } from '../../workers/security/credentials/credential'
import { deriveNodeKeys } from '../../workers/security/keys/derive'
import { openSealed } from '../../workers/security/e2e/seal'
import { parseAuditJsonLines } from '../../workers/security/audit/jsonl'

const root = resolve(import.meta.dirname, '../..')
const DAY = 24 * 3600_000

/** Runs a relay admin command (grant, revoke, audit) against the relay's data dir, as an operator would. */
function admin(relay: RelayProcess, ...args: string[]): { code: number | null; out: string } {
  const result = spawnSync(join(root, 'node_modules/.bin/tsx'), ['relay/cli.ts', ...args, '--data-dir', relay.dataDir], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}` },
  })
  return { code: result.status, out: `${result.stdout}${result.stderr}` }
}

// Credentials, RBAC, revocation, admin grants, identity restore and sealed updates across a
// real relay, real Chromium pages and hostile plain-libp2p peers.
describe('security layer over a real relay', () => {
  let relay: RelayProcess
  let browser: Browser
  let honest: Device[] = []
  let ids: string[] = []
  const hostile: { name: string; peer: NodePeer }[] = []
  let courier: NodePeer

  beforeAll(async () => {
    // Write grouped rejections to the relay's audit log every second, so the test can read them.
    process.env.MESH_REJECT_AUDIT_MS = '1000'
    relay = await RelayProcess.create()
    await relay.start()
    browser = await launchChromium()
    honest = [await openDevice(browser, relay.info!.url), await openDevice(browser, relay.info!.url)]
    ids = await Promise.all(honest.map((d) => mesh(d.page).peerId()))
    await Promise.all(honest.map((d) => waitForRelay(d.page)))
    await waitForDirectPeers(honest[0].page, [ids[1]])
    await waitForDirectPeers(honest[1].page, [ids[0]])
  })

  afterAll(async () => {
    for (const { peer } of hostile) await peer.node.stop()
    await courier?.node.stop()
    await browser?.close()
    await relay?.stop()
    delete process.env.MESH_REJECT_AUDIT_MS
  })

  it('gives every browser a trainer + worker credential from the relay CA, and each admits the other', async () => {
    for (const d of honest) {
      await expect
        .poll(async () => (await d.page.evaluate(() => (window as any).agentMesh.credential())).roles, { timeout: 30_000 })
        .toEqual(['trainer', 'worker'])
    }
    await expect
      .poll(() => honest[0].page.evaluate((id) => (window as any).agentMesh.knownRoles(id), ids[1]), { timeout: 30_000 })
      .toEqual(['trainer', 'worker'])
    await expect.poll(() => honest[0].page.getByTestId('roles').textContent()).toContain('trainer, worker')
    const listed = admin(relay, 'credentials')
    expect(listed.code).toBe(0)
    for (const id of ids) expect(listed.out).toContain(id)
  })

  it('rejects every privileged message from peers with no, expired, revoked or wrong-role credentials, while honest gossip goes on', async () => {
    const trust = await fetchTrust(relay.info!.url)
    const ca = await loadAuthority(relay.dataDir)
    const circuit = (await mesh(honest[0].page).multiaddrs()).find((a) => a.endsWith(`/p2p-circuit/p2p/${ids[0]}`))!
    const make = async (name: string, seed: number) => {
      const peer = await createNodePeer(new Uint8Array(32).fill(seed), trust)
      await peer.node.dial(multiaddr(relay.info!.multiaddrs[0]))
      await peer.node.dial(multiaddr(circuit))
      hostile.push({ name, peer })
      return peer
    }
    const none = await make('no credential', 101)
    const expired = await make('expired', 102)
    const revoked = await make('revoked', 103)
    const trainer = await make('wrong role', 104)

    const now = Date.now()
    const expiredDer = (
      await issueCredential(
        ca,
        {
          identityPublicKey: expired.keys.identity.publicKey,
          blsPublicKey: expired.keys.voting.publicKey,
          agreementPublicKey: expired.keys.agreement.publicKey,
        },
        { roles: ['trainer', 'worker', 'admin'], notBeforeMs: now - 3 * DAY, notAfterMs: now - DAY },
      )
    ).der
    const revokedDer = await revoked.join(relay.info!.url)
    const trainerDer = await trainer.join(relay.info!.url)
    const chatTopic = topicForKind('mesh.chat')
    for (const { peer } of hostile) {
      await waitUntil(
        () => peer.node.services.pubsub.getSubscribers(chatTopic).map(String),
        (subs) => subs.includes(relay.info!.peerId) && subs.includes(ids[0]),
        'a hostile peer to see the relay and the browser',
      )
    }
    // The revoked peer's credential is admitted first, then withdrawn by the operator.
    await waitUntil(
      async () => {
        await revoked.present(revokedDer)
        await trainer.present(trainerDer)
        return Promise.all(
          [revoked, trainer].map((p) =>
            honest[0].page.evaluate((id) => (window as any).agentMesh.knownRoles(id), p.node.peerId.toString()),
          ),
        )
      },
      (known) => known.every(Array.isArray),
      'the browser to admit the revoked-to-be and trainer credentials',
    )
    const revocation = admin(relay, 'revoke', '--peer', revoked.node.peerId.toString(), '--reason', 'test', '--ban')
    expect(revocation.code, revocation.out).toBe(0)
    const revokedSerial = /revoked ([0-9a-f]+)/.exec(revocation.out)![1]
    await expect
      .poll(() => honest[0].page.evaluate(() => (window as any).agentMesh.revoked()), { timeout: 20_000 })
      .toContain(revokedSerial)
    await expect
      .poll(() => honest[1].page.evaluate(() => (window as any).agentMesh.revoked()), { timeout: 20_000 })
      .toContain(revokedSerial)
    // Banned: it cannot simply join again.
    await expect(revoked.join(relay.info!.url)).rejects.toThrow(/banned/)

    // Gossip reaches the browser first-hand only once each peer's outbound GossipSub stream to
    // it is open (GossipSub keeps no public view of that); until then a publish would only go to the relay.
    // Now and then that stream never opens over the circuit; a fresh connection then gets one.
    for (const { peer } of hostile) {
      const gossipTargets = () => [...((peer.node.services.pubsub as any).streamsOutbound.keys() as Iterable<unknown>)].map(String)
      for (let attempt = 0; ; attempt++) {
        try {
          await waitUntil(
            gossipTargets,
            (open) => open.includes(ids[0]) && open.includes(relay.info!.peerId),
            'gossip streams to the browser and the relay',
            8_000,
          )
          break
        } catch (err) {
          if (attempt === 3) throw err
          await peer.node.hangUp(peerIdFromString(ids[0]))
          await peer.node.dial(multiaddr(circuit))
        }
      }
    }
    // Presented only now that the streams are open: the relay drops an expired presence and
    // does not forward it, so the browser sees it (and rejects it as expired) only first-hand.
    await expired.present(expiredDer)
    await revoked.present(revokedDer)
    await none.present(new Uint8Array(0))
    const before = {
      relay: (await relay.health()).gate.rejected.unauthorized as number,
      browser: (await mesh(honest[0].page).gate()).rejected.unauthorized,
    }
    const privileged = (peer: NodePeer, i: number) =>
      [
        ['mesh.chat', sealMessage(peer.signer, 'mesh.chat', { text: `forbidden ${i}`, sentAtUs: 1n })],
        ['cred.grant', sealMessage(peer.signer, 'cred.grant', { certificate: trainerDer as Uint8Array<ArrayBuffer> })],
        [
          'cred.revoke',
          sealMessage(peer.signer, 'cred.revoke', { serial: 'ab', revokedAtMs: 1n, reason: 'forged', signature: new Uint8Array(64) }),
        ],
      ] as const
    let gossiped = 0
    for (const [i, { name, peer }] of hostile.entries()) {
      for (const [kind, bytes] of privileged(peer, i)) {
        // The wrong-role peer is a real trainer: chat is allowed to it, the CA's kinds are not.
        if (name === 'wrong role' && kind === 'mesh.chat') continue
        await peer.node.services.pubsub.publish(topicForKind(kind), bytes)
        gossiped++
      }
      // And on a stream, straight to the browser.
      const stream = await peer.node.dialProtocol(peerIdFromString(ids[0]), TRANSFER_PROTOCOL, { runOnLimitedConnection: true })
      const lp = lpStream(stream)
      await lp.write(sealMessage(peer.signer, 'transfer.request', { sha256: new Uint8Array(32), fromChunk: 0 }))
      await lp.read({ signal: AbortSignal.timeout(5_000) }).catch(() => null)
      stream.abort(new Error('done'))
    }
    const streamed = hostile.filter((h) => h.name !== 'wrong role').length
    await expect.poll(async () => (await relay.health()).gate.rejected.unauthorized - before.relay, { timeout: 20_000 }).toBe(gossiped)
    await expect
      .poll(async () => (await mesh(honest[0].page).gate()).rejected.unauthorized - before.browser, { timeout: 20_000 })
      .toBe(gossiped + streamed)

    // Honest traffic goes on, and nothing forbidden was delivered or applied.
    await mesh(honest[1].page).publishChat('honest after the attack')
    await expect
      .poll(async () => (await mesh(honest[0].page).chats()).some((c) => c.text === 'honest after the attack' && c.from === ids[1]), {
        timeout: 20_000,
      })
      .toBe(true)
    const texts = (await mesh(honest[0].page).chats()).map((c) => c.text)
    expect(texts.filter((t) => t.startsWith('forbidden'))).toEqual([])
    expect(await honest[0].page.evaluate(() => (window as any).agentMesh.revoked())).toEqual([revokedSerial])

    // Every refusal is in both audit logs, grouped by reason, kind and sender.
    await honest[0].page.evaluate(() => (window as any).agentMesh.flushAudit())
    const browserRejects = (
      (await honest[0].page.evaluate(() => (window as any).agentMesh.auditEntries())) as { event: string; details: string }[]
    )
      .filter((e) => e.event === 'reject')
      .map((e) => JSON.parse(e.details))
    expect(browserRejects.filter((d) => d.reason === 'unauthorized').reduce((n, d) => n + d.count, 0)).toBe(gossiped + streamed)
    expect(browserRejects.some((d) => d.reason === 'credential-expired')).toBe(true)
    expect((await honest[0].page.evaluate(() => (window as any).agentMesh.verifyAudit())).ok).toBe(true)
    await expect
      .poll(
        () => {
          const exported = admin(relay, 'audit', '--export')
          return parseAuditJsonLines(exported.out)
            .filter((e) => e.event === 'reject')
            .map((e) => JSON.parse(e.details))
            .filter((d) => d.reason === 'unauthorized')
            .reduce((n, d) => n + d.count, 0)
        },
        { timeout: 20_000, interval: 1_000 },
      )
      .toBe(gossiped)
    const verified = admin(relay, 'audit', '--verify')
    expect(verified.code, verified.out).toBe(0)
    expect(verified.out).toMatch(/audit log OK/)
  })

  it('lets the operator make a browser admin, and that admin grant a role from the PWA', async () => {
    const granted = admin(relay, 'grant', '--peer', ids[0], '--role', 'admin', '--days', '5')
    expect(granted.code, granted.out).toBe(0)
    await expect
      .poll(async () => (await honest[0].page.evaluate(() => (window as any).agentMesh.credential())).roles, { timeout: 20_000 })
      .toEqual(['trainer', 'worker', 'admin'])
    const issued = await honest[0].page.evaluate(
      (id) => (window as any).agentMesh.grant(id, ['trainer', 'worker', 'validator'], 10),
      ids[1],
    )
    expect(issued.roles).toEqual(['trainer', 'worker', 'validator'])
    await expect
      .poll(async () => (await honest[1].page.evaluate(() => (window as any).agentMesh.credential())).roles, { timeout: 20_000 })
      .toEqual(['trainer', 'worker', 'validator'])
    // A non-admin's grant request is refused by the relay.
    await expect(honest[1].page.evaluate((id) => (window as any).agentMesh.grant(id, ['admin'], 10), ids[1])).rejects.toThrow(/admin/)
    // The admin reads the relay's audit log over HTTP; anyone else is refused by RBAC.
    const relayLog = await honest[0].page.evaluate(() => (window as any).agentMesh.relayAudit())
    expect(relayLog.events).toEqual(expect.arrayContaining(['join', 'grant', 'revoke', 'reject']))
    await expect(honest[1].page.evaluate(() => (window as any).agentMesh.relayAudit())).rejects.toThrow(/unauthorized/)
    const log = parseAuditJsonLines(admin(relay, 'audit', '--export').out)
    expect(log.filter((e) => e.event === 'grant' && e.subject === ids[1]).length).toBe(1)
    expect(log.filter((e) => e.event === 'join').map((e) => e.subject)).toEqual(expect.arrayContaining(ids))
  })

  it('seals an update to its recipient: the relay and a forwarder see only ciphertext', async () => {
    const trust = await fetchTrust(relay.info!.url)
    courier = await createNodePeer(new Uint8Array(32).fill(120), trust)
    await courier.node.dial(multiaddr(relay.info!.multiaddrs[0]))
    const courierDer = await courier.join(relay.info!.url)
    const circuit = (await mesh(honest[0].page).multiaddrs()).find((a) => a.endsWith(`/p2p-circuit/p2p/${ids[0]}`))!
    await courier.node.dial(multiaddr(circuit))
    await waitUntil(
      async () => {
        await courier.present(courierDer)
        return honest[0].page.evaluate((id) => (window as any).agentMesh.knownRoles(id), courier.node.peerId.toString())
      },
      Array.isArray,
      'the browser to admit the courier',
    )

    const hash = await honest[0].page.evaluate(([id]) => (window as any).agentMesh.sealBlobFor(id, 7, 200_000, 42), [ids[1]] as const)
    // The courier checks the browser's credential like any node before it takes its answer.
    const sender = peerIdFromString(ids[0]).publicKey!.raw
    await waitUntil(() => courier.peers!.credentialOf(sender)?.roles, Array.isArray, 'the courier to admit the browser')
    // The box travels through the relay's circuit to a Node peer, as a relay would forward it.
    const box = await courier.runtime.fetchBlob(peerIdFromString(ids[0]), Uint8Array.from(Buffer.from(hash, 'hex')))
    const context = { purpose: 'fl.update', round: 7, sender }
    // The relay's own agreement key, rebuilt from its data dir, cannot open it; nor can the courier's.
    const relaySeed = privateKeyFromProtobuf(readFileSync(join(relay.dataDir, 'relay-identity.key'))).raw.subarray(0, 32)
    const relayAgreement = deriveNodeKeys(new Uint8Array([...relaySeed, ...relaySeed])).agreement.secretKey
    expect(openSealed(box, relayAgreement, context).ok).toBe(false)
    expect(openSealed(box, courier.keys.agreement.secretKey, context).ok).toBe(false)
    // The recipient opens it, and only for the round and sender it was sealed for.
    const opened = await honest[1].page.evaluate(([id, h]) => (window as any).agentMesh.openSealedBlob(id, h, 7, 200_000, 42), [
      ids[0],
      hash,
    ] as const)
    expect(opened).toEqual({ ok: true, matches: true })
    const wrongRound = await honest[1].page.evaluate(([id, h]) => (window as any).agentMesh.openSealedBlob(id, h, 8, 200_000, 42), [
      ids[0],
      hash,
    ] as const)
    expect(wrongRound.ok).toBe(false)
  })

  it('restores the same PeerId from the backup phrase in a fresh browser profile', async () => {
    const phrase = await honest[1].page.evaluate(() => (window as any).agentMesh.backupPhrase() as Promise<string>)
    expect(phrase.split(' ')).toHaveLength(24)
    // The UI reveals the same phrase only after a confirmation.
    await honest[1].page.getByTestId('reveal').click()
    await honest[1].page.getByTestId('reveal-confirm').click()
    await expect.poll(() => honest[1].page.getByTestId('backup-phrase').textContent()).toBe(phrase)
    await honest[1].context.close()

    const fresh = await openDevice(browser, relay.info!.url)
    expect(await mesh(fresh.page).peerId()).not.toBe(ids[1])
    await fresh.page.getByTestId('restore-input').fill(phrase)
    fresh.page.once('dialog', (dialog) => void dialog.accept())
    const reloaded = fresh.page.waitForEvent('load', { timeout: 60_000 })
    await fresh.page.getByTestId('restore').click()
    await reloaded
    expect(await waitForNode(fresh.page, 60_000)).toBe(ids[1])
    await waitForRelay(fresh.page)
    // The restored node joins again under the same identity and is a full mesh member.
    await expect
      .poll(async () => (await fresh.page.evaluate(() => (window as any).agentMesh.credential())).peerId, { timeout: 30_000 })
      .toBe(ids[1])
    await waitForDirectPeers(fresh.page, [ids[0]])
    await fresh.context.close()
  })
})
