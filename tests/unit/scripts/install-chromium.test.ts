import { describe, expect, it } from 'vitest'
import { spawnSync } from 'node:child_process'
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

// scripts/install-chromium.sh runs with PATH set to a folder of stand-ins (id, apt-get, sudo,
// sleep), so every branch — present, installed as root, through sudo, refused, apt failing —
// runs here without touching the machine's packages.
const SCRIPT = resolve(import.meta.dirname, '../../../scripts/install-chromium.sh')
const ROOT_COMMAND = 'apt-get update && apt-get install -y --no-install-recommends chromium fonts-liberation'

interface Machine {
  readonly uid?: number
  readonly sudo?: boolean
  readonly aptFails?: boolean
  /** The browser is already there; `broken` makes it exit 1, `noisy` prints launcher noise on stderr. */
  readonly chromium?: 'working' | 'broken' | 'noisy'
}

function executable(path: string, text: string): void {
  writeFileSync(path, text)
  chmodSync(path, 0o755)
}

const CHROMIUM_STUB = '#!/bin/sh\necho "Chromium 156.0 stub"\n'

function runScript(machine: Machine) {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-install-chromium-'))
  const bin = join(dir, 'bin')
  mkdirSync(bin)
  const chromium = join(dir, 'chromium')
  const aptLog = join(dir, 'apt.log')
  executable(join(bin, 'id'), `#!/bin/sh\necho ${machine.uid ?? 0}\n`)
  executable(join(bin, 'sleep'), '#!/bin/sh\nexit 0\n')
  symlinkSync('/usr/bin/env', join(bin, 'env'))
  // apt-get logs its arguments; `install` puts a working browser where the tests look for it.
  executable(
    join(bin, 'apt-get'),
    `#!/bin/sh\necho "$*" >> ${aptLog}\n${machine.aptFails ? 'echo "E: Could not resolve deb.debian.org" >&2\nexit 100\n' : ''}` +
      `case "$*" in *install*) printf '%s' '${CHROMIUM_STUB}' > ${chromium}; /bin/chmod 755 ${chromium};; esac\n`,
  )
  if (machine.sudo) executable(join(bin, 'sudo'), '#!/bin/sh\n[ "$1" = -n ] && shift\n[ "$1" = true ] && exit 0\nexec "$@"\n')
  if (machine.chromium === 'working') executable(chromium, CHROMIUM_STUB)
  if (machine.chromium === 'noisy')
    executable(chromium, '#!/bin/sh\necho "/usr/bin/chromium: 9: [: 1 2: unexpected operator" >&2\necho "Chromium 156.0 stub"\n')
  if (machine.chromium === 'broken')
    executable(chromium, '#!/bin/sh\necho "error while loading shared libraries: libnss3.so" >&2\nexit 127\n')
  const result = spawnSync('/bin/bash', [SCRIPT], { env: { PATH: bin, CHROMIUM_PATH: chromium }, encoding: 'utf8' })
  const outcome = {
    status: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    aptCalls: existsSync(aptLog) ? readFileSync(aptLog, 'utf8').trim().split('\n') : [],
    installed: existsSync(chromium),
  }
  rmSync(dir, { recursive: true, force: true })
  return outcome
}

describe('scripts/install-chromium.sh', () => {
  it('leaves a working Chromium alone and names its version', () => {
    const run = runScript({ chromium: 'working' })
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('chromium present')
    expect(run.stdout).toContain('Chromium 156.0 stub')
    expect(run.aptCalls).toEqual([])
  })

  it("hides the launcher's harmless stderr noise when the browser runs", () => {
    const run = runScript({ chromium: 'noisy' })
    expect(run.status).toBe(0)
    expect(run.stderr).toBe('')
  })

  it('shows the error of a browser that is there but does not run', () => {
    const run = runScript({ chromium: 'broken' })
    expect(run.status).toBe(1)
    expect(run.stderr).toContain('libnss3.so')
    expect(run.stderr).toContain(ROOT_COMMAND)
  })

  it('installs it through apt-get as root, saying what it runs', () => {
    const run = runScript({ uid: 0 })
    expect(run.status).toBe(0)
    expect(run.aptCalls).toEqual(['-qq update', '-qq install -y --no-install-recommends chromium fonts-liberation'])
    expect(run.stdout).toContain('running: apt-get update')
    expect(run.stdout).toContain('running: apt-get install -y --no-install-recommends chromium fonts-liberation')
    expect(run.stdout).toContain('installed:')
    expect(run.installed).toBe(true)
  })

  it('installs it through sudo for a user who may use sudo without a password', () => {
    const run = runScript({ uid: 1000, sudo: true })
    expect(run.status).toBe(0)
    expect(run.stdout).toContain('running: sudo -n apt-get update')
    expect(run.aptCalls).toHaveLength(2)
    expect(run.installed).toBe(true)
  })

  it('gives a user without root or sudo one message with the exact command, and installs nothing', () => {
    const run = runScript({ uid: 1000 })
    expect(run.status).toBe(1)
    expect(run.aptCalls).toEqual([])
    expect(run.stderr.match(/error:/g)).toHaveLength(1)
    expect(run.stderr).toContain(`  ${ROOT_COMMAND}\n`)
  })

  it('retries apt-get three times, then fails with one clear error', () => {
    const run = runScript({ uid: 0, aptFails: true })
    expect(run.status).toBe(1)
    expect(run.aptCalls).toEqual(['-qq update', '-qq update', '-qq update'])
    expect(run.stderr).toContain('Could not resolve deb.debian.org')
    expect(run.stderr.match(/^error:/gm)).toHaveLength(1)
    expect(run.stderr).toContain('could not install chromium')
    expect(run.installed).toBe(false)
  })
})
