// `npm test`: generated-code check, typecheck, lint and format, data, unit tests, the test
// build, Chromium (installed when missing), end-to-end tests; stops at the first failing step
// and ends with one line that totals every test that ran, whichever step failed.
import { spawnSync } from 'node:child_process'
import { mkdtempSync, readFileSync, existsSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'

const out = mkdtempSync(join(tmpdir(), 'mesh-test-'))
const totals = { passed: 0, failed: 0, skipped: 0 }

function run(label, command, args) {
  console.log(`\n=== ${label}: ${command} ${args.join(' ')}`)
  const result = spawnSync(command, args, { stdio: 'inherit' })
  if (result.error)
    console.error(`${label}: could not run ${command}: ${result.error.message}${command === 'vitest' ? " (run 'npm install' first)" : ''}`)
  return result.status ?? 1
}

function vitest(project) {
  const report = join(out, `${project}.json`)
  const status = run(`${project} tests`, 'vitest', [
    'run',
    '--project',
    project,
    '--reporter=default',
    '--reporter=json',
    `--outputFile.json=${report}`,
  ])
  if (existsSync(report)) {
    const r = JSON.parse(readFileSync(report, 'utf8'))
    totals.passed += r.numPassedTests
    totals.failed += r.numFailedTests
    totals.skipped += r.numPendingTests + r.numTodoTests
    // A file that fails before its tests run (in beforeAll, say) leaves them 'skipped': count it
    // as a failure so the total line cannot look green when the run is not.
    for (const file of r.testResults.filter((f) => f.status === 'failed' && !f.assertionResults.some((a) => a.status === 'failed'))) {
      totals.failed++
      console.error(`${project}: ${file.name} failed outside its tests (see its error above)`)
    }
    if (r.numTotalTests === 0) {
      console.error(`${project}: no tests ran`)
      return 1
    }
  }
  return status
}

function finish(status) {
  console.log(`\n${totals.passed} passed, ${totals.failed} failed, ${totals.skipped} skipped`)
  process.exit(status)
}

if (run('generated code', 'npm', ['run', '--silent', 'proto', '--', '--check']) !== 0) finish(1)
if (run('typecheck', 'npm', ['run', '--silent', 'typecheck']) !== 0) finish(1)
if (run('lint', 'npm', ['run', '--silent', 'lint']) !== 0) finish(1)
// Unit tests read the packed MNIST file that the build also ships.
if (run('data', 'npm', ['run', '--silent', 'data']) !== 0) finish(1)
if (vitest('unit') !== 0) finish(1)
// The end-to-end tests load the test build (dist-test/): the production build plus the
// window.agentMesh hooks they drive; the unit suite checks that production has none of them.
if (run('test build', 'npm', ['run', '--silent', 'build:test']) !== 0) finish(1)
// A fresh machine has no Chromium: the script installs Debian's as root (or through sudo) and
// otherwise prints the one command to run as root.
if (run('chromium', 'bash', ['scripts/install-chromium.sh']) !== 0) finish(1)
finish(vitest('e2e') !== 0 ? 1 : 0)
