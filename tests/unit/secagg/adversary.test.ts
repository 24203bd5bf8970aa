import { describe, expect, it } from 'vitest'
import { SecAggAggregator, type AggregatorStep } from '../../../workers/secagg/aggregator'
import { SecAggClient } from '../../../workers/secagg/client'
import { advertisementTranscript, survivorTranscript } from '../../../workers/secagg/keys'
import { noblePrimitives } from '../../../workers/secagg/primitives'
import { encode, quantization } from '../../../workers/secagg/quantize'
import type { AdvertiseKeys, KeyRoster, MaskedInput, ShareDelivery, ShareKeys, UnmaskRequest } from '../../../workers/secagg/secagg.pb'
import { bytesToRing } from '../../../workers/secagg/wire-util'
import { clientRandom, makeCohort, makeInputs, makeParams } from './fixtures'

const n = 5
const cohort = makeCohort(n, 'adversary')
const inputs = makeInputs(n, 48, 'adversary-inputs')
const params = makeParams(cohort, { threshold: 3 })
const otherRound = makeParams(cohort, { threshold: 3, roundId: new TextEncoder().encode('round-6') })

/** Drives an honest round phase by phase, keeping every message so tests can tamper with them. */
async function honestRound(p = params) {
  const random = clientRandom('adversary')
  const clients = cohort.secretKeys.map(
    (identitySecretKey, index) => new SecAggClient({ params: p, index, identitySecretKey, input: inputs[index], random: random(index) }),
  )
  const aggregator = new SecAggAggregator(p)
  const ok = <T>(step: { ok: true; message: T } | { ok: false; reason: string }): T => {
    if (!step.ok) throw new Error(step.reason)
    return step.message
  }
  const ads = clients.map((c) => ok(c.start()))
  ads.forEach((ad, i) => expect(aggregator.receiveAdvertisement(i, ad).ok).toBe(true))
  const roster = (await aggregator.closePhase()) as Extract<AggregatorStep, { kind: 'broadcast-roster' }>
  const shareKeys: ShareKeys[] = []
  for (const c of clients) shareKeys.push(ok(await c.handleRoster(roster.message)))
  return { clients, aggregator, ads, roster: roster.message, shareKeys, ok }
}

async function throughMasking() {
  const round = await honestRound()
  const { clients, aggregator, shareKeys, ok } = round
  shareKeys.forEach((m, i) => expect(aggregator.receiveShareKeys(i, m).ok).toBe(true))
  const deliveries = ((await aggregator.closePhase()) as Extract<AggregatorStep, { kind: 'deliver-shares' }>).deliveries
  const masked = deliveries.map((d) => ok(clients[d.recipient].handleShares(d)))
  return { ...round, deliveries, masked }
}

describe('secure aggregation under a malicious aggregator or relay', () => {
  it('a masked input looks nothing like the quantized input it hides', async () => {
    const { masked } = await throughMasking()
    const plain = encode(inputs[0], quantization(1, n)).ring
    const sent = bytesToRing(masked[0].masked)
    // Each word differs by a uniformly random mask; being within 2^24 of the plain word has chance 2^-7.
    const close = plain.filter((w, j) => Math.abs((sent[j] - w) | 0) < 2 ** 24).length
    expect(close).toBeLessThan(plain.length / 8)
  })

  it('honest clients refuse an unmask request that asks for both shares of one client', async () => {
    const { clients, aggregator, masked, ok } = await throughMasking()
    // Client 4's input "did not arrive", as far as the aggregator pretends.
    masked.slice(0, 4).forEach((m, i) => expect(aggregator.receiveMaskedInput(i, m).ok).toBe(true))
    const survivors = [0, 1, 2, 3, 4]
    const signatures = [0, 1, 2, 3].map((i) =>
      ok(clients[i].handleSurvivors({ roundId: params.roundId as Uint8Array<ArrayBuffer>, survivors })),
    )
    const greedy: UnmaskRequest = { roundId: params.roundId as Uint8Array<ArrayBuffer>, survivors, dropped: [4], signatures }
    for (const i of [0, 1, 2, 3]) {
      expect(clients[i].handleUnmaskRequest(greedy)).toEqual({ ok: false, reason: 'unmask request asks for both shares of client 4' })
    }
    // The honest request still gets answered; a second, different one afterwards does not.
    const honest = { ...greedy, dropped: [] }
    const answer = ok(clients[0].handleUnmaskRequest(honest))
    expect(answer.maskKeyShares).toEqual([])
    expect(answer.selfSeedShares.map((s) => s.owner)).toEqual([0, 1, 2, 3, 4])
    expect(clients[0].handleUnmaskRequest(honest)).toEqual({ ok: true, message: answer })
    expect(clients[0].handleUnmaskRequest({ ...honest, survivors: [0, 1, 2, 3], dropped: [4] }).ok).toBe(false)
  })

  it('refuses when survivors were shown different survivor sets (the consistency check)', async () => {
    const { clients, masked, ok } = await throughMasking()
    void masked
    const roundId = params.roundId as Uint8Array<ArrayBuffer>
    // The aggregator tells 0, 1, 2 that 4 survived, and 3 that it dropped.
    const withFour = [0, 1, 2].map((i) => ok(clients[i].handleSurvivors({ roundId, survivors: [0, 1, 2, 3, 4] })))
    ok(clients[3].handleSurvivors({ roundId, survivors: [0, 1, 2, 3] }))
    // To get 4's mask-key share from client 3 it must show 3 signatures over the set without 4.
    const forged = { roundId, survivors: [0, 1, 2, 3], dropped: [4], signatures: withFour.map((s) => ({ ...s })) }
    expect(clients[3].handleUnmaskRequest(forged)).toEqual({ ok: false, reason: 'consistency signature of 0 does not verify' })
    // And client 0 will not accept a request for a set it did not sign.
    expect(clients[0].handleUnmaskRequest(forged)).toEqual({
      ok: false,
      reason: 'unmask request names a survivor set other than the one this client signed',
    })
    // Too few signatures over the right set are refused too.
    const few = { roundId, survivors: [0, 1, 2, 3, 4], dropped: [], signatures: withFour.slice(0, 2) }
    expect(clients[0].handleUnmaskRequest(few)).toEqual({ ok: false, reason: 'only 2 survivors signed the survivor set, need 3' })
    // A signature forged with a key outside the cohort is refused.
    const outsider = makeCohort(1, 'outsider').secretKeys[0]
    const fake = {
      roundId,
      sender: 4,
      signature: noblePrimitives.ed25519Sign(survivorTranscript(params.roundId, [0, 1, 2, 3, 4]), outsider) as Uint8Array<ArrayBuffer>,
    }
    expect(clients[0].handleUnmaskRequest({ ...few, signatures: [...withFour.slice(0, 2), fake] })).toEqual({
      ok: false,
      reason: 'consistency signature of 4 does not verify',
    })
  })

  it('the aggregator rejects replayed, forged and misaddressed client messages', async () => {
    const { aggregator, ads, clients } = await honestRound()
    void clients
    const fresh = new SecAggAggregator(params)
    // Forged: client 1's advertisement claimed by the envelope sender 2.
    expect(fresh.receiveAdvertisement(2, ads[1])).toEqual({ ok: false, reason: 'from 2: claims to be client 1' })
    // Forged: keys swapped under client 1's signature.
    const swapped: AdvertiseKeys = { ...ads[1], maskPublicKey: ads[2].maskPublicKey }
    expect(fresh.receiveAdvertisement(1, swapped)).toEqual({ ok: false, reason: 'from 1: bad signature' })
    // Replayed from another round: the round id differs, and rewriting it breaks the signature.
    const replayAggregator = new SecAggAggregator(otherRound)
    expect(replayAggregator.receiveAdvertisement(1, ads[1])).toEqual({ ok: false, reason: 'from 1: message for another round' })
    expect(replayAggregator.receiveAdvertisement(1, { ...ads[1], roundId: otherRound.roundId as Uint8Array<ArrayBuffer> })).toEqual({
      ok: false,
      reason: 'from 1: bad signature',
    })
    // Replayed within the round.
    expect(fresh.receiveAdvertisement(1, ads[1]).ok).toBe(true)
    expect(fresh.receiveAdvertisement(1, ads[1])).toEqual({ ok: false, reason: 'from 1: second advertise message' })
    // Out of phase: a masked input before any keys were shared.
    expect(
      fresh.receiveMaskedInput(1, {
        roundId: params.roundId as Uint8Array<ArrayBuffer>,
        sender: 1,
        length: 48,
        masked: new Uint8Array(192),
      }).ok,
    ).toBe(false)
    // A refusal changes nothing: the phase continues as if it never came.
    expect(fresh.phase).toBe('advertise')
    expect(aggregator.phase).toBe('share')
  })

  it('clients reject a forged roster, forged shares and replays from another round', async () => {
    const { clients, roster, shareKeys, aggregator } = await honestRound()
    const random = clientRandom('adversary-2')
    const fresh = cohort.secretKeys.map(
      (identitySecretKey, index) => new SecAggClient({ params, index, identitySecretKey, input: inputs[index], random: random(index) }),
    )
    fresh.forEach((c) => c.start())
    // The old roster carries keys that client 0 never advertised in this run.
    expect(await fresh[0].handleRoster(roster)).toEqual({
      ok: false,
      reason: 'roster carries keys for this client that it did not advertise',
    })
    // A roster entry whose signature does not match its keys.
    const tampered: KeyRoster = {
      ...roster,
      keys: roster.keys.map((k, i) => (i === 2 ? { ...k, encryptionPublicKey: roster.keys[3].encryptionPublicKey } : k)),
    }
    const c1 = new SecAggClient({
      params,
      index: 1,
      identitySecretKey: cohort.secretKeys[1],
      input: inputs[1],
      random: clientRandom('adversary')(1),
    })
    c1.start()
    expect(await c1.handleRoster(tampered)).toEqual({ ok: false, reason: 'advertisement of 2 has a bad signature' })
    expect(await c1.handleRoster({ ...roster, roundId: otherRound.roundId as Uint8Array<ArrayBuffer> })).toEqual({
      ok: false,
      reason: 'key roster for another round',
    })
    expect(c1.phase).toBe('advertised')
    expect((await c1.handleRoster(roster)).ok).toBe(true)

    shareKeys.forEach((m, i) => aggregator.receiveShareKeys(i, m))
    const deliveries = ((await aggregator.closePhase()) as Extract<AggregatorStep, { kind: 'deliver-shares' }>).deliveries
    const toOne: ShareDelivery = deliveries[1]
    // A flipped ciphertext bit, a share redirected from another recipient, and a duplicated share.
    const flipped = toOne.shares.map((s, i) =>
      i === 0 ? { ...s, ciphertext: Uint8Array.from(s.ciphertext, (b, j) => (j === 5 ? b ^ 1 : b)) } : s,
    )
    expect(clients[1].handleShares({ ...toOne, shares: flipped })).toEqual({
      ok: false,
      reason: `share from ${toOne.shares[0].sender} fails authentication`,
    })
    const redirected = deliveries[2].shares.find((s) => s.sender === 0)!
    expect(
      clients[1].handleShares({ ...toOne, shares: [{ ...redirected, recipient: 1 }, ...toOne.shares.filter((s) => s.sender !== 0)] }),
    ).toEqual({ ok: false, reason: 'share from 0 fails authentication' })
    expect(clients[1].handleShares({ ...toOne, shares: [...toOne.shares, toOne.shares[0]] }).ok).toBe(false)
    expect(clients[1].phase).toBe('shared')
    // The genuine delivery still works after all that.
    const masked: MaskedInput = (clients[1].handleShares(toOne) as { ok: true; message: MaskedInput }).message
    expect(masked.length).toBe(48)
    // A masked input replayed under another sender, or twice, is refused.
    expect(aggregator.receiveMaskedInput(2, masked)).toEqual({ ok: false, reason: 'from 2: claims to be client 1' })
    expect(aggregator.receiveMaskedInput(1, masked).ok).toBe(true)
    expect(aggregator.receiveMaskedInput(1, masked)).toEqual({ ok: false, reason: 'from 1: second mask message' })
  })

  it('the aggregator refuses revealed shares it did not ask for', async () => {
    const { clients, aggregator, masked, ok } = await throughMasking()
    masked.forEach((m, i) => aggregator.receiveMaskedInput(i, m))
    const survivorsStep = (await aggregator.closePhase()) as Extract<AggregatorStep, { kind: 'broadcast-survivors' }>
    clients.forEach((c, i) => aggregator.receiveConsistencySignature(i, ok(c.handleSurvivors(survivorsStep.message))))
    const request = (await aggregator.closePhase()) as Extract<AggregatorStep, { kind: 'request-unmask' }>
    const response = ok(clients[0].handleUnmaskRequest(request.message))
    const extra = { ...response, maskKeyShares: [{ owner: 2, share: response.selfSeedShares[2].share }] }
    expect(aggregator.receiveUnmaskResponse(0, extra)).toEqual({
      ok: false,
      reason: 'from 0: mask-key share for client 2 was not asked for',
    })
    expect(aggregator.receiveUnmaskResponse(0, response).ok).toBe(true)
  })

  it("a client refuses a roster in which one client reflects another's public key", async () => {
    const { ads, roster } = await honestRound()
    // Client 2 (malicious, but with a valid signature of its own) advertises client 1's mask key.
    const maskPublicKey = ads[1].maskPublicKey
    const signature = noblePrimitives.ed25519Sign(
      advertisementTranscript(params.roundId, 2, ads[2].encryptionPublicKey, maskPublicKey),
      cohort.secretKeys[2],
    )
    const reflected: KeyRoster = {
      ...roster,
      keys: roster.keys.map((k) => (k.sender === 2 ? { ...k, maskPublicKey, signature: signature as Uint8Array<ArrayBuffer> } : k)),
    }
    const c0 = new SecAggClient({
      params,
      index: 0,
      identitySecretKey: cohort.secretKeys[0],
      input: inputs[0],
      random: clientRandom('adversary')(0),
    })
    c0.start()
    expect(await c0.handleRoster(reflected)).toEqual({ ok: false, reason: 'client 2 advertised a public key that client 1 also uses' })
    expect((await c0.handleRoster(roster)).ok).toBe(true)
  })

  it('a client refuses a survivor list naming a client whose shares the aggregator withheld from it', async () => {
    const { clients, aggregator, shareKeys, ok } = await honestRound()
    shareKeys.forEach((m, i) => aggregator.receiveShareKeys(i, m))
    const deliveries = ((await aggregator.closePhase()) as Extract<AggregatorStep, { kind: 'deliver-shares' }>).deliveries
    // Client 1 is not given client 0's shares, so it does not mask against 0 ...
    ok(clients[1].handleShares({ ...deliveries[1], shares: deliveries[1].shares.filter((s) => s.sender !== 0) }))
    const roundId = params.roundId as Uint8Array<ArrayBuffer>
    // ... and a survivor list that counts 0 in would leave a mask in the sum: refused.
    expect(clients[1].handleSurvivors({ roundId, survivors: [0, 1, 2, 3] })).toEqual({
      ok: false,
      reason: 'survivor list names client 0, whose shares this client never received',
    })
    expect(clients[1].handleSurvivors({ roundId, survivors: [1, 2, 3] }).ok).toBe(true)
  })

  it('consistency signatures and unmask requests from another round, or by another client, are refused', async () => {
    const { clients, aggregator, masked, ok } = await throughMasking()
    masked.forEach((m, i) => aggregator.receiveMaskedInput(i, m))
    const survivorsStep = (await aggregator.closePhase()) as Extract<AggregatorStep, { kind: 'broadcast-survivors' }>
    const signatures = clients.map((c) => ok(c.handleSurvivors(survivorsStep.message)))
    // Replayed from another round: refused by round id, and re-labelled it no longer verifies.
    const otherId = otherRound.roundId as Uint8Array<ArrayBuffer>
    expect(aggregator.receiveConsistencySignature(0, { ...signatures[0], roundId: otherId })).toEqual({
      ok: false,
      reason: 'from 0: message for another round',
    })
    const elsewhere = {
      ...signatures[0],
      signature: noblePrimitives.ed25519Sign(
        survivorTranscript(otherRound.roundId, survivorsStep.message.survivors),
        cohort.secretKeys[0],
      ) as Uint8Array<ArrayBuffer>,
    }
    expect(aggregator.receiveConsistencySignature(0, elsewhere)).toEqual({
      ok: false,
      reason: 'from 0: signature does not verify over the survivor set',
    })
    // Client 1's signature presented as client 0's.
    expect(aggregator.receiveConsistencySignature(0, { ...signatures[1], sender: 0 })).toEqual({
      ok: false,
      reason: 'from 0: signature does not verify over the survivor set',
    })
    signatures.forEach((m, i) => expect(aggregator.receiveConsistencySignature(i, m).ok).toBe(true))
    const request = ((await aggregator.closePhase()) as Extract<AggregatorStep, { kind: 'request-unmask' }>).message
    expect(clients[0].handleUnmaskRequest({ ...request, roundId: otherId })).toEqual({
      ok: false,
      reason: 'unmask request for another round',
    })
    // A signature list in which one client's signature stands in for another's.
    const swapped = {
      ...request,
      signatures: request.signatures.map((sig, i) => (i === 1 ? { ...request.signatures[2], sender: 1 } : sig)),
    }
    expect(clients[0].handleUnmaskRequest(swapped)).toEqual({ ok: false, reason: 'consistency signature of 1 does not verify' })
    // A revealed-share message replayed under another sender.
    const response = ok(clients[0].handleUnmaskRequest(request))
    expect(aggregator.receiveUnmaskResponse(1, response)).toEqual({ ok: false, reason: 'from 1: claims to be client 0' })
    expect(aggregator.receiveUnmaskResponse(0, response).ok).toBe(true)
    expect(aggregator.receiveUnmaskResponse(0, response)).toEqual({ ok: false, reason: 'from 0: second unmask message' })
  })
})
