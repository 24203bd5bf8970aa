import { describe, expect, it } from 'vitest'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { ConfigError, resolveConfig } from '../../../relay/config'
import { runTaskCommand } from '../../../relay/task-cli'
import { openTaskDatabase } from '../../../relay/tasks'

const PEER = '12D3KooWMKREKjJ5dPU1bcmdwVuzRyKCEr1Ui8oSaapWqSobBRnP'

describe('relay task options and CLI', () => {
  it('validates --task-duty and --task-coordinators', () => {
    expect(resolveConfig({ 'task-duty': 'coordinator,worker', 'task-coordinators': PEER }, {})).toMatchObject({
      taskDuty: ['coordinator', 'worker'],
      taskCoordinators: [PEER],
    })
    expect(() => resolveConfig({ 'task-duty': 'boss' }, {})).toThrow(ConfigError)
    expect(() => resolveConfig({ 'task-duty': 'coordinator' }, {})).toThrow(/needs --task-coordinators/)
    expect(() => resolveConfig({ 'task-coordinators': 'not-a-peer' }, {})).toThrow(/Ed25519 PeerIds/)
  })

  it('lists the kinds, explains mistakes, and queues a request a running relay would pick up', async () => {
    const lines: string[] = []
    expect(await runTaskCommand(['kinds'], {}, (l) => lines.push(l))).toBe(0)
    expect(lines.join('\n')).toMatch(/hyperparameter: Hyperparameter sweep/)
    expect(await runTaskCommand(['--help'], {}, () => {})).toBe(0)
    expect(await runTaskCommand(['run', '--kind', 'rm'], {}, () => {})).toBe(2)
    expect(await runTaskCommand(['run', '--kind', 'evaluate', '--param', 'shards=999'], {}, () => {})).toBe(2)
    expect(await runTaskCommand(['coordinators', '--add', PEER, '--remove', PEER], {}, () => {})).toBe(2)
    const dir = mkdtempSync(join(tmpdir(), 'task-cli-'))
    // Nobody serves the request here: the command times out and says what to check.
    expect(await runTaskCommand(['run', '--kind', 'pixel-stats', '--timeout', '1', '--data-dir', dir], {}, () => {})).toBe(1)
    const db = openTaskDatabase(dir)
    const row = db.prepare('SELECT action, body, state FROM task_requests').get() as { action: string; body: string; state: string }
    db.close()
    expect(row).toMatchObject({ action: 'run', state: 'new' })
    expect(JSON.parse(row.body)).toMatchObject({ kind: 'pixel-stats', redundancy: 1 })
  })
})
