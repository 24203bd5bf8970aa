import { describe, expect, it, vi } from 'vitest'
import { mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generateKeyPair } from '@libp2p/crypto/keys'
import { peerIdFromPrivateKey } from '@libp2p/peer-id'
import {
  attemptStep,
  checkTask,
  decodeTask,
  defaultMnistTask,
  DEFAULT_RETRY_STEP,
  encodeTask,
  MAX_TASK_AGGREGATORS,
  rosterOf,
  taskIdOf,
  taskToWire,
} from '../../../workers/fl/task/spec'
import { FlTrustVariant, PrivacyMode, RootData } from '../../../workers/fl/task/wire.pb'
import { DEFAULT_FLTRUST_VARIANT, DEFAULT_RULES, FALLBACK_RULES } from '../../../workers/fl/aggregation/defaults'
import { runFlCli } from '../../../relay/fl-cli'
import { openDatabase } from '../../../relay/db'
import { classAccuracyOf, FlStore } from '../../../relay/fl-store'
import { weakestClass } from '../../../workers/fl/mesh/task-feed'
import { defaultTaskForm, ruleHint, taskFromForm } from '../../../app/fl/task-form'
import { secaggAbortReason } from '../../../relay/fl-metrics'

const task = defaultMnistTask('12D3KooWAdmin', 1_700_000_000_000)
/** The default task as tasks before version 6 were: the full step at every attempt. */
const fullStep = { ...task, retryStep: 1 }

function capture() {
  const lines: string[] = []
  return { lines, out: (line: string) => lines.push(line) }
}

describe('federated task definitions', () => {
  it('round-trips the default MNIST task and names it by its hash', () => {
    expect(decodeTask(encodeTask(task))).toEqual({ ok: true, task })
    expect(taskIdOf(task)).toMatch(/^[0-9a-f]{64}$/)
    expect(taskIdOf({ ...task, createdMs: task.createdMs + 1 })).not.toBe(taskIdOf(task))
  })

  it('refuses what a node must not run, saying why', () => {
    const wire = taskToWire(fullStep)
    const reasons = [
      { ...wire, modelJson: '{"inputShape":[784],"layers":[{"type":"lambda"}],"classes":10}' },
      { ...wire, rounds: 0 },
      { ...wire, rule: 'trimmed-mean', ruleTrim: 2, quorum: 3 },
      { ...wire, rule: 'eval' },
      { ...wire, privacy: PrivacyMode.SECURE, bucketSize: 2 },
      { ...wire, privacy: PrivacyMode.SECURE, bucketSize: 3, quorum: 5 },
      { ...wire, collectMs: 10 },
      { ...wire, version: 7 },
      { ...wire, version: 1, rule: 'fltrust' },
      { ...wire, version: 2 },
      { ...wire, fltrustVariant: 9 as unknown as FlTrustVariant },
      { ...wire, version: 4, fltrustVariant: FlTrustVariant.FLTRUST_CLIPPED_MEAN },
      { ...wire, rule: 'fltrust', rootData: RootData.NO_ROOT_DATA },
      { ...wire, rootData: 7 as unknown as RootData },
      { ...wire, retryStep: 1.5 },
      { ...wire, retryStep: -0.5 },
      { ...wire, version: 5, retryStep: 0.5 },
    ].map((w) => checkTask(w))
    expect(reasons.every((r) => !r.ok)).toBe(true)
    expect(reasons.map((r) => (r.ok ? '' : r.reason))).toEqual([
      expect.stringContaining('model spec'),
      'rounds must be 1..10000',
      'trimmed mean must keep some inputs: 2 × trim < quorum',
      expect.stringContaining("unknown rule 'eval'"),
      expect.stringContaining('bucket size of 3'),
      'secure mode with a robust rule needs a quorum of at least two buckets',
      'deadlines must be 1 s .. 1 h',
      'task version 7, this node understands 1..6',
      'root data and FLTrust need task version 2',
      "FLTrust's variant needs task version 3",
      "fltrust's variant must be one of paper, clipped, clipped-mean",
      "FLTrust's variant 'clipped-mean' needs task version 5",
      expect.stringContaining('FLTrust needs root data'),
      'root data must be none or the MNIST validation digits',
      'retry step must be in (0, 1], or 0 for the full step',
      'retry step must be in (0, 1], or 0 for the full step',
      'a retry step needs task version 6',
    ])
    expect(decodeTask(new Uint8Array([0xff, 0xff]))).toMatchObject({ ok: false })
  })

  it('a task stored before version 2 (no root data) still decodes to the same task, bytes and id', () => {
    // defaultMnistTask('12D3KooWAdmin', 1_700_000_000_000) as encoded before FLTrust tasks existed (version 1, trimmed mean).
    const stored = Buffer.from(
      '0801120c4d4e495354206469676974731a787b22696e7075745368617065223a5b3738345d2c226c6179657273223a5b7b2274797065223a2264656e7365222c22756e697473223a36342c2261637469766174696f6e223a2272656c75227d2c7b2274797065223a2264656e7365222c22756e697473223a31307d5d2c22636c6173736573223a31307d3014380140144820519a9999999999a93f590000000000001440620c7472696d6d65642d6d65616e6801980103a001e0d403a801b0ea01b1019a9999999999a93fb801ea0fc00180d095ffbc31ca010d313244334b6f6f5741646d696e',
      'hex',
    )
    const decoded = decodeTask(new Uint8Array(stored))
    if (!decoded.ok) throw new Error(decoded.reason)
    expect(decoded.task.rule).toEqual({ rule: 'trimmed-mean', trim: 1 })
    expect(decoded.task.rootData).toBe('none')
    expect(Buffer.from(encodeTask(decoded.task)).toString('hex')).toBe(stored.toString('hex'))
    expect(taskIdOf(decoded.task)).toBe('609652cf2b3cc531863860c4e7fe27f3dc73398e3aac2b17a812dee742f18938')
  })

  it('an FLTrust task names its root data (version 2) and its variant (versions 3 and 5); a task naming no rule gets its mode’s default', () => {
    expect(task.rule).toEqual({ rule: DEFAULT_RULES.robust, variant: DEFAULT_FLTRUST_VARIANT.robust })
    expect(task.rootData).toBe('mnist-validation')
    const wire = taskToWire(task)
    expect(wire.version).toBe(6) // the default retry step is version 6's
    expect(taskToWire(fullStep).version).toBe(5) // the robust mode's default variant, 'clipped-mean', is version 5's
    expect(wire.fltrustVariant).toBe(FlTrustVariant.FLTRUST_CLIPPED_MEAN)
    expect(wire.rootData).toBe(RootData.MNIST_VALIDATION)
    expect(decodeTask(encodeTask(task))).toEqual({ ok: true, task })
    const unnamed = { ...wire, rule: '' }
    const secure = { ...unnamed, privacy: PrivacyMode.SECURE, bucketSize: 3, quorum: 6 }
    const ruleOf = (w: typeof wire) => {
      const checked = checkTask(w)
      if (!checked.ok) throw new Error(checked.reason)
      return checked.task.rule.rule
    }
    expect([ruleOf(unnamed), ruleOf(secure)]).toEqual([DEFAULT_RULES.robust, DEFAULT_RULES.secure])
    const without = { rootData: RootData.NO_ROOT_DATA }
    expect([ruleOf({ ...unnamed, ...without }), ruleOf({ ...secure, ...without })]).toEqual([FALLBACK_RULES.robust, FALLBACK_RULES.secure])
    // Every default a quorum can get is one the rule's own checks accept.
    for (const quorum of [1, 2, 3, 4, 5, 9])
      for (const w of [unnamed, secure, { ...unnamed, ...without }, { ...secure, ...without }]) {
        const checked = checkTask({ ...w, quorum: Math.max(quorum, w.privacy === PrivacyMode.SECURE ? 6 : 1) })
        if (!checked.ok) throw new Error(checked.reason)
        const again = checkTask(taskToWire(checked.task))
        expect(again.ok && again.task.rule, `quorum ${quorum}`).toEqual(checked.task.rule)
      }
    // A version-2 task without version-2 fields is written as version 1: its bytes are what a version-1 node reads.
    expect(taskToWire({ ...fullStep, rule: { rule: 'median' }, rootData: 'none' }).version).toBe(1)
    // Likewise a task with the paper's FLTrust is written as version 2, and a version-2 FLTrust task (no variant field) reads as the paper's.
    const paper = { ...fullStep, rule: { rule: 'fltrust', variant: 'paper' } } as const
    expect(taskToWire(paper)).toMatchObject({ version: 2, fltrustVariant: FlTrustVariant.FLTRUST_PAPER })
    expect(decodeTask(encodeTask(paper))).toEqual({ ok: true, task: paper })
    // Only FLTrust carries a variant: another rule writes the field as 0, whatever the wire said.
    const median = checkTask({ ...taskToWire(fullStep), rule: 'median', fltrustVariant: FlTrustVariant.FLTRUST_CLIPPED })
    expect(median.ok && taskToWire(median.task)).toMatchObject({ version: 2, fltrustVariant: FlTrustVariant.FLTRUST_PAPER })
    // 'clipped-mean' is what version 5 adds: written as version 5, read back the same.
    const mean = { ...fullStep, rule: { rule: 'fltrust', variant: 'clipped-mean' } } as const
    expect(taskToWire(mean)).toMatchObject({ version: 5, fltrustVariant: FlTrustVariant.FLTRUST_CLIPPED_MEAN })
    expect(decodeTask(encodeTask(mean))).toEqual({ ok: true, task: mean })
  })

  it('a retry step (version 6): new tasks halve the step per attempt; tasks before it keep the full step, their bytes and id', () => {
    expect(task.retryStep).toBe(DEFAULT_RETRY_STEP)
    expect(taskToWire(task)).toMatchObject({ version: 6, retryStep: DEFAULT_RETRY_STEP })
    expect(decodeTask(encodeTask({ ...task, retryStep: 0.8 }))).toEqual({ ok: true, task: { ...task, retryStep: 0.8 } })
    // The full step writes the field as 0 and the version that expressed the task before.
    expect(taskToWire(fullStep)).toMatchObject({ version: 5, retryStep: 0 })
    expect(decodeTask(encodeTask(fullStep))).toEqual({ ok: true, task: fullStep })
    // A version-6 task that says 1 is the same task as one that says nothing.
    const saysOne = checkTask({ ...taskToWire(task), retryStep: 1 })
    expect(saysOne.ok && taskIdOf(saysOne.task)).toBe(taskIdOf(fullStep))
    // Attempt k's step: exact powers of a half, the full step at attempt 0 and for step 1, and an
    // attempt number from the wire (up to 2^32) costs a few dozen multiplications, not billions.
    expect([0, 1, 2, 3, 10].map((k) => attemptStep(0.5, k))).toEqual([1, 0.5, 0.25, 0.125, 2 ** -10])
    expect(attemptStep(0.8, 3)).toBeCloseTo(0.512, 12)
    expect([attemptStep(1, 0), attemptStep(1, 2 ** 32 - 1), attemptStep(0.999_999, 2 ** 32 - 1)]).toEqual([1, 1, 0])
  })

  it('names browser aggregators (version 4), which join the validators in the rotation; refuses a bad list', async () => {
    const browsers = await Promise.all([0, 1].map(async () => peerIdFromPrivateKey(await generateKeyPair('Ed25519')).toString()))
    const relays = ['12D3KooWRelayB', '12D3KooWRelayA']
    const named = { ...fullStep, rule: { rule: 'median' }, aggregators: [browsers[0], browsers[1]] } as const
    const wire = taskToWire(named)
    expect(wire.version).toBe(4)
    expect(decodeTask(encodeTask(named))).toEqual({ ok: true, task: named })
    // Without browsers the task keeps its lower version, bytes and id.
    expect(taskToWire({ ...named, aggregators: [] }).version).toBe(2)
    const roster = rosterOf(named, relays)
    expect(roster).toEqual({ aggregators: [...relays, ...browsers].sort(), validators: relays })
    // A relay the task also names aggregates once.
    expect(rosterOf({ ...named, aggregators: [relays[0]] }, relays).aggregators).toEqual([...relays].sort())
    expect(rosterOf(task, relays)).toEqual({ aggregators: [...relays].sort(), validators: relays })

    const rsaPeerId = 'QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N'
    const refused = [
      { ...wire, version: 3 },
      { ...wire, aggregators: [browsers[0], browsers[0]] },
      { ...wire, aggregators: [browsers[0], 'not-a-peer'] },
      { ...wire, aggregators: [rsaPeerId] },
      { ...wire, aggregators: ['x'.repeat(10_000)] },
      { ...wire, aggregators: Array.from({ length: MAX_TASK_AGGREGATORS + 1 }, (_, i) => `${browsers[0]}${i}`) },
      { ...wire, rule: 'fltrust', rootData: RootData.MNIST_VALIDATION },
    ].map((w) => checkTask(w))
    expect(refused.map((r) => (r.ok ? 'accepted' : r.reason))).toEqual([
      'browser aggregators need task version 4',
      'an aggregator is named twice',
      "aggregator 'not-a-peer' is not an Ed25519 PeerId",
      `aggregator '${rsaPeerId}' is not an Ed25519 PeerId`,
      `aggregator '${'x'.repeat(64)}' is not an Ed25519 PeerId`,
      `at most ${MAX_TASK_AGGREGATORS} browser aggregators`,
      'FLTrust tasks are aggregated by the relays alone; name browser aggregators with another rule',
    ])

    // The PWA form and the CLI take the list as people write it.
    const form = taskFromForm(
      { ...defaultTaskForm(), rule: 'median', aggregators: ` ${browsers[0]},\n${browsers[1]} ` },
      '12D3KooWAdmin',
      1,
    )
    expect(form.ok && form.task.aggregators).toEqual(browsers)
    expect(taskFromForm({ ...defaultTaskForm(), aggregators: browsers[0] }, '12D3KooWAdmin', 1)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('FLTrust tasks are aggregated by the relays alone'),
    })
    const dir = mkdtempSync(join(tmpdir(), 'mesh-fl-'))
    const { lines, out } = capture()
    expect(await runFlCli(['create', '--data-dir', dir, '--rule', 'median', '--aggregators', browsers.join(',')], {}, out, 1_000)).toBe(0)
    expect(lines[0]).toContain(`, browser aggregators ${browsers.join(', ')}`)
    const listed = capture()
    expect(await runFlCli(['list', '--data-dir', dir], {}, listed.out)).toBe(0)
    expect(listed.lines[0]).toContain('+2 browser aggregators')
  })

  it('the PWA form makes secure-mode tasks, checked as every node checks them', () => {
    const form = { ...defaultTaskForm(), privacy: 'secure' as const, bucketSize: 3, rule: 'fedavg' as const, quorum: 3 }
    const made = taskFromForm(form, '12D3KooWAdmin', 1)
    expect(made.ok && made.task.privacy).toEqual({ mode: 'secure', bucketSize: 3 })
    expect(taskFromForm({ ...form, rule: 'median' }, '12D3KooWAdmin', 1)).toEqual({
      ok: false,
      reason: 'secure mode with a robust rule needs a quorum of at least two buckets',
    })
    expect(taskFromForm({ ...form, bucketSize: 2 }, '12D3KooWAdmin', 1)).toMatchObject({
      ok: false,
      reason: expect.stringContaining('bucket size'),
    })
    const robust = taskFromForm(defaultTaskForm(), '12D3KooWAdmin', 1)
    expect(robust.ok && robust.task.privacy).toEqual({ mode: 'robust' })
    expect(robust.ok && robust.task.retryStep).toBe(DEFAULT_RETRY_STEP)
    const fullStepForm = taskFromForm({ ...defaultTaskForm(), retryStep: 1 }, '12D3KooWAdmin', 1)
    expect(fullStepForm.ok && taskToWire(fullStepForm.task)).toMatchObject({ version: 5, retryStep: 0 })
    for (const retryStep of [0, -1, 1.5, NaN])
      expect(taskFromForm({ ...defaultTaskForm(), retryStep }, '12D3KooWAdmin', 1)).toMatchObject({
        ok: false,
        reason: expect.stringContaining('retry step must be in (0, 1]'),
      })
    // The form starts on the robust mode's default rule, with the relays' root data.
    expect(robust.ok && [robust.task.rule, robust.task.rootData]).toEqual([
      { rule: DEFAULT_RULES.robust, variant: DEFAULT_FLTRUST_VARIANT.robust },
      'mnist-validation',
    ])
    const secureFltrust = taskFromForm({ ...form, rule: 'fltrust', quorum: 6 }, '12D3KooWAdmin', 1)
    expect(secureFltrust.ok && secureFltrust.task.rule).toEqual({ rule: 'fltrust', variant: DEFAULT_FLTRUST_VARIANT.secure })
    // The form's hint names the variant the mode gets.
    for (const mode of ['robust', 'secure'] as const)
      expect(ruleHint('fltrust', mode)).toContain(
        { clipped: 'steps that far', 'clipped-mean': "the trusted updates' mean", paper: "the paper's" }[DEFAULT_FLTRUST_VARIANT[mode]],
      )
  })

  it('names secure-aggregation aborts by the metric’s closed set of reasons', () => {
    expect(secaggAbortReason('only 1 clients sent masked input; need 2')).toBe('too-few-survivors')
    expect(secaggAbortReason('only 1 survivors revealed shares; need 2')).toBe('too-few-survivors')
    expect(secaggAbortReason('cannot rebuild the mask key of dropped client 2: bad share')).toBe('bad-share')
    expect(secaggAbortReason('closePhase in phase done')).toBe('other')
  })
})

describe('relay CLI: fl create / list', () => {
  it('creates the default task and a configured secure one, persisted in the relay database', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-fl-'))
    const { lines, out } = capture()
    expect(await runFlCli(['create', '--data-dir', dir], {}, out, 1_000)).toBe(0)
    const model = join(dir, 'model.json')
    writeFileSync(model, JSON.stringify({ inputShape: [784], layers: [{ type: 'dense', units: 10 }], classes: 10 }))
    const args = [
      'create',
      '--data-dir',
      dir,
      '--name',
      'tiny',
      '--model',
      model,
      '--partition',
      'dirichlet:0.5',
      '--rounds',
      '3',
      '--rule',
      'median',
      '--privacy',
      'secure',
      '--bucket-size',
      '3',
      '--quorum',
      '6',
      '--steps',
      '2',
      '--clip',
      '2.5',
      '--retry-step',
      '0.25',
    ]
    expect(await runFlCli(args, {}, out, 2_000)).toBe(0)
    expect(lines[1]).toMatch(/^created task [0-9a-f]{64}: tiny, 3 rounds, median, secure \(buckets of 3\), quorum 6$/)
    const db = openDatabase(dir)
    const tasks = new FlStore(db).tasks()
    db.close()
    expect(tasks.map((t) => [t.task.name, t.state, t.task.partition, t.task.privacy])).toEqual([
      ['MNIST digits', 'pending', { kind: 'iid' }, { mode: 'robust' }],
      ['tiny', 'pending', { kind: 'dirichlet', alpha: 0.5 }, { mode: 'secure', bucketSize: 3 }],
    ])
    expect(tasks[1].task.clipNorm).toBe(2.5)
    expect(tasks.map((t) => t.task.retryStep)).toEqual([DEFAULT_RETRY_STEP, 0.25])
    const listed = capture()
    expect(await runFlCli(['list', '--data-dir', dir], {}, listed.out)).toBe(0)
    expect(listed.lines).toHaveLength(2)
    expect(listed.lines[0]).toContain(`MNIST digits  ${DEFAULT_RULES.robust} (${DEFAULT_FLTRUST_VARIANT.robust})  robust`)
    expect(listed.lines[1]).toContain('0/3 rounds  tiny  median  secure')
  })

  it('without --rule a task gets its mode’s default; without root data the fallback', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-fl-'))
    const { lines, out } = capture()
    expect(await runFlCli(['create', '--data-dir', dir, '--privacy', 'secure', '--quorum', '6'], {}, out, 1_000)).toBe(0)
    expect(await runFlCli(['create', '--data-dir', dir, '--root-data', 'none', '--quorum', '5'], {}, out, 2_000)).toBe(0)
    expect(await runFlCli(['create', '--data-dir', dir, '--rule', 'fltrust', '--fltrust-variant', 'paper'], {}, out, 3_000)).toBe(0)
    expect(lines[0]).toContain(`, ${DEFAULT_RULES.secure} (${DEFAULT_FLTRUST_VARIANT.secure}), secure (buckets of 3)`)
    expect(lines[1]).toContain(`, ${FALLBACK_RULES.robust}, robust`)
    expect(lines[2]).toContain(', fltrust (paper), robust')
    const db = openDatabase(dir)
    const tasks = new FlStore(db).tasks()
    db.close()
    expect(tasks.map((t) => t.task.rootData)).toEqual(['mnist-validation', 'none', 'mnist-validation'])
    expect(tasks[2].task.rule).toEqual({ rule: 'fltrust', variant: 'paper' })
    expect(await runFlCli(['create', '--data-dir', dir, '--rule', 'fltrust', '--fltrust-variant', 'clipped-mean'], {}, out, 4_000)).toBe(0)
    expect(lines[3]).toContain(', fltrust (clipped-mean), robust')
    expect(await runFlCli(['create', '--data-dir', dir, '--root-data', 'disk'], {}, out)).toBe(2)
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      expect(await runFlCli(['create', '--data-dir', dir, '--fltrust-variant', 'stretch'], {}, out)).toBe(2)
      expect(String(errors.mock.calls.at(-1)?.[0])).toContain("--fltrust-variant must be paper, clipped, clipped-mean; got 'stretch'")
    } finally {
      errors.mockRestore()
    }
    const help = capture()
    expect(await runFlCli(['--help'], {}, help.out)).toBe(0)
    expect(help.lines.join('\n')).toContain(`[robust: ${DEFAULT_RULES.robust}, secure: ${DEFAULT_RULES.secure}; with --root-data none:`)
  })

  it('explains a bad option and prints help', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-fl-'))
    const { lines, out } = capture()
    expect(await runFlCli(['create', '--data-dir', dir, '--privacy', 'secure', '--bucket-size', '2'], {}, out)).toBe(2)
    expect(await runFlCli(['create', '--data-dir', dir, '--rounds', 'many'], {}, out)).toBe(2)
    expect(await runFlCli(['create', '--data-dir', dir, '--retry-step', '2'], {}, out)).toBe(2)
    expect(await runFlCli(['create', '--data-dir', dir, '--retry-step', '0'], {}, out)).toBe(2)
    expect(await runFlCli(['--help'], {}, out)).toBe(0)
    expect(lines.join('\n')).toContain('npm run relay -- fl create [options]')
  })

  it('keeps a committed round and its model together across a reopen', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-fl-'))
    let db = openDatabase(dir)
    const store = new FlStore(db)
    const id = store.addTask(task)
    store.commitRound(
      {
        taskId: id,
        round: 1,
        descriptor: new Uint8Array([1]),
        certificate: new Uint8Array([2]),
        modelHash: 'ab'.repeat(32),
        accuracy: 0.8,
        loss: 0.6,
        classAccuracy: classAccuracyOf({ classAccuracy: [0.9, 0.95, NaN, 0.5, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9] }),
        committedMs: 5,
      },
      new Uint8Array([9, 9]),
    )
    db.close()
    db = openDatabase(dir)
    const again = new FlStore(db)
    expect(again.rounds(id)).toMatchObject([
      { round: 1, modelHash: 'ab'.repeat(32), accuracy: 0.8, classAccuracy: [0.9, 0.95, null, 0.5, 0.9, 0.9, 0.9, 0.9, 0.9, 0.9] },
    ])
    expect(again.model('ab'.repeat(32))).toEqual(new Uint8Array([9, 9]))
    expect(again.tasks()[0].committedRounds).toBe(1)
    db.close()
  })

  it("lists a task's rounds with the digit each model recognises worst, and reads rounds stored before per-class figures", async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mesh-fl-'))
    const db = openDatabase(dir)
    const store = new FlStore(db)
    const id = store.addTask(task)
    const round = { taskId: id, descriptor: new Uint8Array([1]), certificate: new Uint8Array([2]), loss: 0.3, committedMs: 0 }
    store.commitRound(
      {
        ...round,
        round: 1,
        modelHash: 'cd'.repeat(32),
        accuracy: 0.91,
        classAccuracy: [0.99, 0.98, 0.9, 0.9, 0.9, 0.9, 0.9, 0.31, 0.9, 0.9],
      },
      new Uint8Array([1]),
    )
    // A row as a relay wrote it before the class_accuracy column existed.
    db.prepare(
      'INSERT INTO fl_rounds (task_id, round, descriptor, certificate, model_hash, accuracy, loss, committed_ms) VALUES (?, 2, ?, ?, ?, NULL, NULL, 0)',
    ).run(id, Buffer.from([1]), Buffer.from([2]), 'ef'.repeat(32))
    expect(store.rounds(id).map((r) => r.classAccuracy)).toEqual([[0.99, 0.98, 0.9, 0.9, 0.9, 0.9, 0.9, 0.31, 0.9, 0.9], null])
    db.close()
    const { lines, out } = capture()
    expect(await runFlCli(['rounds', '--data-dir', dir, '--task', id.slice(0, 8)], {}, out)).toBe(0)
    expect(lines[0]).toContain(`${id}  MNIST digits: 2/`)
    expect(lines[1]).toMatch(/round +1 +model cdcdcdcdcdcd +accuracy 91\.0 % +loss 0\.300 +weakest digit 7 \(31\.0 %\)/)
    expect(lines[2]).toMatch(/round +2 +model efefefefefef +accuracy — +loss — +weakest digit —/)
    const errors = vi.spyOn(console, 'error').mockImplementation(() => {})
    try {
      expect(await runFlCli(['rounds', '--data-dir', dir, '--task', 'zz'], {}, out)).toBe(2)
      expect(String(errors.mock.calls.at(-1)?.[0])).toContain("no task id starts with 'zz'")
    } finally {
      errors.mockRestore()
    }
  })

  it('names the weakest class, skipping classes without figures', () => {
    expect(weakestClass([0.9, null, 0.4, 0.41])).toEqual({ label: 2, accuracy: 0.4 })
    expect(weakestClass([null, null])).toBeNull()
    expect(weakestClass(null)).toBeNull()
  })
})
