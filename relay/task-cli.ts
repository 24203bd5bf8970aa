import { parseArgs } from 'node:util'
import { resolve } from 'node:path'
import { existsSync } from 'node:fs'
import { optionSpecs } from './config'
import { openTaskDatabase } from './tasks'
import { taskKind, taskKindRegistry } from '../workers/tasks/registry'
import { parseParams } from '../workers/tasks/params'
import { TASK_LIMITS } from '../workers/tasks/kinds'

const usage = `Agent tasks (these work on a coordinator relay's data dir; the running relay picks them up within a second):

  npm run relay -- task kinds
      list the task kinds in the registry and their parameters.
  npm run relay -- task run --kind KIND [--param NAME=VALUE …] [--redundancy K] [--timeout SECONDS]
      announce a task to the coordinators and wait for its result, printing progress and then the
      result with its provenance (which worker did which subtask, when, and which checks passed).
      --redundancy K runs every subtask on K workers and keeps the majority result (default 1).
  npm run relay -- task coordinators (--add PEERID | --remove PEERID)
      change the Raft membership of the task coordinators by one node; run it on the leader's
      data dir (a follower answers with the leader's PeerId).

  --data-dir DIR   the coordinator relay's data dir (env MESH_DATA_DIR, default ${optionSpecs.dataDir.defaultValue})
  --json           print the final report as JSON

example: npm run relay -- task run --kind hyperparameter --param learningRates=0.05,0.1,0.3 --param steps=40`

/** Runs one task subcommand; returns the exit code. */
export async function runTaskCommand(
  argv: readonly string[],
  env: NodeJS.ProcessEnv = process.env,
  out = (line: string) => console.log(line),
): Promise<number> {
  const [command, ...rest] = argv
  let values: Record<string, string | boolean | string[] | undefined>
  try {
    values = parseArgs({
      args: rest,
      options: {
        help: { type: 'boolean', short: 'h' },
        'data-dir': { type: 'string' },
        kind: { type: 'string' },
        param: { type: 'string', multiple: true },
        redundancy: { type: 'string' },
        timeout: { type: 'string' },
        add: { type: 'string' },
        remove: { type: 'string' },
        json: { type: 'boolean' },
      },
      allowPositionals: false,
    }).values
  } catch (err) {
    console.error(`${(err as Error).message}\n\n${usage}`)
    return 2
  }
  if (values.help || command === undefined || command === '--help' || command === 'help') {
    out(usage)
    return command === undefined ? 2 : 0
  }
  const dataDir = resolve((values['data-dir'] as string | undefined) ?? env.MESH_DATA_DIR ?? optionSpecs.dataDir.defaultValue)
  switch (command) {
    case 'kinds':
      for (const kind of Object.values(taskKindRegistry)) {
        out(`${kind.name}: ${kind.title}\n  ${kind.description}\n  announced by: ${kind.announcers.join(', ')}`)
        for (const p of kind.parameters)
          out(`    --param ${`${p.name}=${p.default}`.padEnd(34)} ${p.type} in [${p.min}, ${p.max}]: ${p.help}`)
      }
      return 0
    case 'run':
      return runCommand(dataDir, values, out)
    case 'coordinators':
      return coordinatorsCommand(dataDir, values, out)
    default:
      console.error(`unknown task command '${command}'\n\n${usage}`)
      return 2
  }
}

function requireDataDir(dataDir: string): void {
  if (!existsSync(dataDir))
    throw new Error(`no relay data dir at ${dataDir}; pass --data-dir of a relay started with --task-duty coordinator`)
}

async function runCommand(dataDir: string, values: Record<string, unknown>, out: (line: string) => void): Promise<number> {
  const kindName = values.kind as string | undefined
  const kind = kindName ? taskKind(kindName) : undefined
  if (!kind) {
    console.error(`--kind must be one of ${Object.keys(taskKindRegistry).join(', ')}${kindName ? ` (got '${kindName}')` : ''}`)
    return 2
  }
  const params: { name: string; value: string }[] = []
  for (const item of (values.param as string[] | undefined) ?? []) {
    const eq = item.indexOf('=')
    if (eq <= 0) {
      console.error(`--param takes NAME=VALUE, got '${item}'`)
      return 2
    }
    params.push({ name: item.slice(0, eq), value: item.slice(eq + 1) })
  }
  const parsed = parseParams(kind.parameters, params)
  if (!parsed.ok) {
    console.error(`${parsed.reason}\nparameters of ${kind.name}: ${kind.parameters.map((p) => `${p.name} (${p.help})`).join('; ')}`)
    return 2
  }
  const redundancy = Number(values.redundancy ?? 1)
  if (!Number.isInteger(redundancy) || redundancy < 1 || redundancy > TASK_LIMITS.redundancy) {
    console.error(`--redundancy must be 1 to ${TASK_LIMITS.redundancy}`)
    return 2
  }
  const timeoutS = Number(values.timeout ?? 600)
  requireDataDir(dataDir)
  const db = openTaskDatabase(dataDir)
  try {
    const now = Date.now()
    const id = Number(
      db
        .prepare("INSERT INTO task_requests (action, body, state, created_ms, updated_ms) VALUES ('run', ?, 'new', ?, ?)")
        .run(JSON.stringify({ kind: kind.name, params, redundancy }), now, now).lastInsertRowid,
    )
    out(`task request ${id} queued for the relay in ${dataDir} (${kind.name}, redundancy ${redundancy})`)
    const get = db.prepare('SELECT state, result FROM task_requests WHERE id = ?')
    let last = ''
    const deadline = Date.now() + timeoutS * 1000
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300))
      const row = get.get(id) as { state: string; result: string | null }
      if (row.state === 'new') continue
      const report = row.result ? (JSON.parse(row.result) as Record<string, any>) : {}
      if (row.state === 'running' || row.state === 'announced') {
        const subtasks = (report.subtasks ?? []) as { accepted: boolean }[]
        const line =
          subtasks.length > 0
            ? `  ${subtasks.filter((s) => s.accepted).length}/${subtasks.length} subtasks accepted; coordinator ${report.coordinator} (term ${report.term})`
            : `  announced as ${report.taskId}; waiting for a coordinator`
        if (line !== last) out((last = line))
        continue
      }
      if (values.json) out(JSON.stringify(report, null, 2))
      else printReport(report, out)
      return row.state === 'done' ? 0 : 1
    }
    console.error(`no result within ${timeoutS} s; is the relay running with --task-duty coordinator, and are workers connected?`)
    return 1
  } finally {
    db.close()
  }
}

function printReport(report: Record<string, any>, out: (line: string) => void): void {
  out(`task ${report.taskId} (${report.kind}): ${report.state}${report.reason ? ` — ${report.reason}` : ''}`)
  if (report.state !== 'done') return
  out(`result: ${report.summary}`)
  out(
    `coordinator ${report.coordinator}, term ${report.term}, ${Math.round(report.finishedMs - report.announcedMs)} ms from announcement to result`,
  )
  out('provenance (subtask: accepted from; attempts worker:state[ms]):')
  for (const s of report.subtasks as any[]) {
    const attempts = (s.attempts as any[]).map(
      (a) =>
        `${String(a.worker).slice(-8)}:${a.state}${a.finishedMs ? `[${Math.round(a.finishedMs - a.startedMs)}]` : ''}${a.reason ? ` (${a.reason})` : ''}`,
    )
    out(`  ${String(s.index).padStart(3)}: ${(s.acceptedFrom as string[]).map((w) => w.slice(-8)).join(', ')}; ${attempts.join(' ')}`)
  }
}

async function coordinatorsCommand(dataDir: string, values: Record<string, unknown>, out: (line: string) => void): Promise<number> {
  const add = values.add as string | undefined
  const remove = values.remove as string | undefined
  if ((add === undefined) === (remove === undefined)) {
    console.error('give exactly one of --add PEERID or --remove PEERID (membership changes go one node at a time)')
    return 2
  }
  requireDataDir(dataDir)
  const db = openTaskDatabase(dataDir)
  try {
    const now = Date.now()
    const id = Number(
      db
        .prepare("INSERT INTO task_requests (action, body, state, created_ms, updated_ms) VALUES (?, ?, 'new', ?, ?)")
        .run(add ? 'add' : 'remove', JSON.stringify({ peer: add ?? remove }), now, now).lastInsertRowid,
    )
    const get = db.prepare('SELECT state, result FROM task_requests WHERE id = ?')
    const deadline = Date.now() + 30_000
    while (Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 300))
      const row = get.get(id) as { state: string; result: string | null }
      if (row.state === 'new') continue
      const result = JSON.parse(row.result ?? '{}') as { voters?: string[]; reason?: string; leader?: string }
      if (row.state === 'done') {
        out(`proposed; voters once it commits: ${(result.voters ?? []).join(', ')}`)
        return 0
      }
      console.error(`refused: ${result.reason}${result.leader ? ` (run it on the leader's data dir: ${result.leader})` : ''}`)
      return 1
    }
    console.error('the relay did not pick the request up within 30 s; is it running with --task-duty coordinator?')
    return 1
  } finally {
    db.close()
  }
}
