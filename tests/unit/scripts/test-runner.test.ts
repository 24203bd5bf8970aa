import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

// scripts/test.mjs (`npm test`) runs with PATH set to stand-ins for npm, vitest and apt-get, so
// its order of steps, the Chromium step and the total line are checked in milliseconds.
const root = resolve(import.meta.dirname, '../../..')

function executable(path: string, text: string): void {
  writeFileSync(path, text)
  chmodSync(path, 0o755)
}

function runTestCommand(machine: { chromium: boolean; uid: number }) {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-test-runner-'))
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  const log = join(dir, 'steps.log')
  const chromium = join(dir, 'chromium')
  // npm and vitest log each call; vitest writes a JSON report of 3 passing tests.
  executable(join(bin, 'npm'), `#!/bin/sh\necho "npm $*" >> ${log}\n`)
  executable(
    join(bin, 'vitest'),
    `#!/bin/sh\necho "vitest $*" >> ${log}\nfor arg in "$@"; do case "$arg" in --outputFile.json=*) ` +
      `echo '{"numPassedTests":3,"numFailedTests":0,"numPendingTests":0,"numTodoTests":0,"numTotalTests":3,"testResults":[]}' > "\${arg#--outputFile.json=}";; esac; done\n`,
  )
  executable(
    join(bin, 'apt-get'),
    `#!/bin/sh\necho "apt-get $*" >> ${log}\ncase "$*" in *install*) printf '#!/bin/sh\\necho Chromium stub\\n' > ${chromium}; /bin/chmod 755 ${chromium};; esac\n`,
  )
  executable(join(bin, 'id'), `#!/bin/sh\necho ${machine.uid}\n`)
  executable(join(bin, 'sleep'), '#!/bin/sh\nexit 0\n')
  symlinkSync('/usr/bin/env', join(bin, 'env'))
  symlinkSync('/bin/bash', join(bin, 'bash'))
  if (machine.chromium) executable(chromium, '#!/bin/sh\necho Chromium stub\n')
  const result = spawnSync(process.execPath, [join(root, 'scripts/test.mjs')], {
    cwd: root,
    env: { PATH: bin, CHROMIUM_PATH: chromium },
    encoding: 'utf8',
  })
  const outcome = {
    status: result.status,
    output: result.stdout + result.stderr,
    lastLine: result.stdout.trim().split('\n').at(-1),
    steps: existsSync(log) ? readFileSync(log, 'utf8').trim().split('\n') : [],
  }
  rmSync(dir, { recursive: true, force: true })
  return outcome
}

describe('npm test (scripts/test.mjs)', () => {
  it('runs the generated-code check, typecheck, lint, data, unit, the test build, the Chromium check and e2e, then totals them', () => {
    const run = runTestCommand({ chromium: true, uid: 1000 })
    expect(run.status).toBe(0)
    expect(run.steps.map((s) => s.split(' --reporter')[0])).toEqual([
      'npm run --silent proto -- --check',
      'npm run --silent typecheck',
      'npm run --silent lint',
      'npm run --silent data',
      'vitest run --project unit',
      'npm run --silent build:test',
      'vitest run --project e2e',
    ])
    expect(run.output).toContain('chromium present')
    expect(run.lastLine).toBe('6 passed, 0 failed, 0 skipped')
  })

  it('installs a missing Chromium as root before the end-to-end step', () => {
    const run = runTestCommand({ chromium: false, uid: 0 })
    expect(run.status).toBe(0)
    const steps = run.steps.map((s) => s.split(' --reporter')[0])
    expect(steps.indexOf('apt-get -qq update')).toBeGreaterThan(steps.indexOf('npm run --silent build:test'))
    expect(steps.at(-1)).toBe('vitest run --project e2e')
    expect(run.lastLine).toBe('6 passed, 0 failed, 0 skipped')
  })

  it('stops with one error naming the root command, and still prints the total line, when it cannot install Chromium', () => {
    const run = runTestCommand({ chromium: false, uid: 1000 })
    expect(run.status).toBe(1)
    expect(run.steps.some((s) => s.includes('--project e2e'))).toBe(false)
    expect(run.output.match(/error:/g)).toHaveLength(1)
    expect(run.output).toContain('apt-get update && apt-get install -y --no-install-recommends chromium fonts-liberation')
    expect(run.lastLine).toBe('3 passed, 0 failed, 0 skipped')
  })
})
