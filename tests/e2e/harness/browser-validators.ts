import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { RelayProcess } from './relay-process'
import { waitUntil } from './wait'
import type { Device } from './browser'
import { resolveConfig } from '../../../relay/config'
import { relayValidatorEntry } from '../../../relay/validator'
import { runValidatorsCli } from '../../../relay/validators-cli'
import { runAdmin } from '../../../relay/admin-cli'
import { CA_CERT_FILE, CA_KEY_FILE, loadOrCreateAuthority } from '../../../relay/ca-files'
import { parseValidatorSetFile, type LoadedValidatorSet } from '../../../workers/consensus/adapter'
import { createRealScheme, loadWasmBls, type SignatureScheme } from '../../../workers/consensus/certificate'
import type { DutySnapshot } from '../../../app/consensus/browser-validator'

/** The operator's CLI commands, run in this process (what relay/cli.ts calls) to spare a tsx start each. */
export async function runCli(run: typeof runValidatorsCli | typeof runAdmin, args: string[]): Promise<string> {
  const lines: string[] = []
  const code = await run(
    args,
    {},
    (line) => lines.push(line),
    (line: string) => lines.push(line),
  )
  if (code !== 0) throw new Error(`${args[0]} exited with ${code}: ${lines.join('\n')}`)
  return lines.join('\n')
}

export interface RelayConsensus {
  lastDecision: { height: number } | null
  member: boolean
  validators: number
  setChange: { kind: string; id: string; decidedAt: number; from: number } | null
  equivocations: number
  decisions: number
}

export interface PageDuty {
  status: string
  detail: string
  duty: DutySnapshot | null
}

export async function relayConsensus(relay: RelayProcess): Promise<RelayConsensus | null> {
  try {
    return (await relay.health()).consensus as RelayConsensus
  } catch {
    return null
  }
}

export const pageDuty = (device: Device) => device.page.evaluate(() => (window as any).agentMesh.validatorDuty() as PageDuty)

export interface RelayValidators {
  readonly relays: RelayProcess[]
  readonly dir: string
  readonly setFile: string
  /** The set file as every node pinned it. */
  readonly loaded: LoadedValidatorSet
  readonly scheme: SignatureScheme
  /** `--data-dir` and `--validator-set` of the admin's relay (relay 0), for `validators` commands. */
  readonly adminArgs: string[]
}

/**
 * `count` relay validators sharing one CA (as the relays of one mesh do, so a browser's
 * credential is good at each), with a set file naming them and relay 0's CA key as admin; started.
 */
export async function startRelayValidators(chainId: string, count: number, intervalMs: number): Promise<RelayValidators> {
  const dir = mkdtempSync(join(tmpdir(), 'mesh-browser-validators-'))
  const setFile = join(dir, 'validators.json')
  const relays = await Promise.all(
    Array.from({ length: count }, () =>
      RelayProcess.create({ extraArgs: ['--validator-set', setFile, '--bft-interval-ms', String(intervalMs)] }),
    ),
  )
  await loadOrCreateAuthority(relays[0].dataDir)
  for (const relay of relays.slice(1))
    for (const file of [CA_KEY_FILE, CA_CERT_FILE]) copyFileSync(join(relays[0].dataDir, file), join(relay.dataDir, file))
  const scheme = createRealScheme({ bls: await loadWasmBls() })
  const entries = await Promise.all(
    relays.map((r) => relayValidatorEntry(resolveConfig({ 'data-dir': r.dataDir, 'ws-port': String(r.wsPort) }, {}))),
  )
  const adminKey = await runCli(runValidatorsCli, ['admin-key', '--data-dir', relays[0].dataDir])
  const text = JSON.stringify({ chainId, validators: entries, admins: [adminKey] }, null, 2)
  writeFileSync(setFile, text)
  await Promise.all(relays.map((r) => r.start()))
  return {
    relays,
    dir,
    setFile,
    loaded: parseValidatorSetFile(text, scheme),
    scheme,
    adminArgs: ['--data-dir', relays[0].dataDir, '--validator-set', setFile],
  }
}

export function grantValidator(relay: RelayProcess, device: Device, peerId: string): Promise<void> {
  return grantRole(relay, device, peerId, 'validator')
}

export function grantAdmin(relay: RelayProcess, device: Device, peerId: string): Promise<void> {
  return grantRole(relay, device, peerId, 'admin')
}

/**
 * The operator's `grant --role ROLE`. The relay gossips a grant once (cred.grant); a page
 * that misses it (its subscription not yet known to the relay) would get the role only at its
 * next renewal, so the grant is repeated, as an operator would, if it has not arrived.
 */
async function grantRole(relay: RelayProcess, device: Device, peerId: string, role: string): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    await runCli(runAdmin, ['grant', '--peer', peerId, '--role', role, '--data-dir', relay.dataDir])
    try {
      await waitUntil(
        () => device.page.evaluate(() => (window as any).agentMesh.credential()?.roles as string[] | undefined),
        (roles) => roles?.includes(role) ?? false,
        `${peerId} holding the ${role} role`,
        20_000,
      )
      return
    } catch (error) {
      if (attempt === 3) throw error
    }
  }
}

/** The admin's `validators add` with the entry the page shows; returns the CLI's output. */
export async function orderAdd(validators: RelayValidators, device: Device, name: string): Promise<{ peerId: string; output: string }> {
  const entry = await device.page.evaluate(() => (window as any).agentMesh.validatorEntry())
  const file = join(validators.dir, `${name}.json`)
  writeFileSync(file, JSON.stringify(entry))
  return { peerId: entry.peerId, output: await runCli(runValidatorsCli, ['add', '--entry', file, ...validators.adminArgs]) }
}
