import { execFile, spawn, type ChildProcess } from 'node:child_process'
import { promisify } from 'node:util'
import { mkdtempSync, readdirSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePorts } from './ports'

export interface RelayInfo {
  readonly url: string
  readonly peerId: string
  readonly multiaddrs: string[]
}

const root = resolve(import.meta.dirname, '../../..')

/** The test build (`npm run build:test`): the production PWA plus the window.agentMesh hooks the tests drive. */
export const TEST_BUILD = join(root, 'dist-test')

export interface RelayProcessOptions {
  /** More relay flags, e.g. validator duty. */
  readonly extraArgs?: readonly string[]
  readonly logLevel?: string
  /** Federated tasks (--fl); off unless a test is about them, so other tests measure what they test. */
  readonly fl?: boolean
  /** More environment for the relay, e.g. NODE_OPTIONS='--cpu-prof' to profile it. */
  readonly env?: Readonly<Record<string, string>>
}

/**
 * A real relay process (the same CLI `npm start` runs) on free ports with its own data
 * directory, serving the test build; it can be stopped and started again on the same ports
 * and identity.
 */
export class RelayProcess {
  private child: ChildProcess | undefined
  info: RelayInfo | undefined
  readonly output: string[] = []

  private constructor(
    readonly port: number,
    readonly wsPort: number,
    readonly dataDir: string,
    private readonly options: RelayProcessOptions,
  ) {}

  static async create(options: RelayProcessOptions = {}): Promise<RelayProcess> {
    const [port, wsPort] = await freePorts(2)
    return new RelayProcess(port, wsPort, mkdtempSync(join(tmpdir(), 'mesh-relay-')), options)
  }

  private get baseArgs(): string[] {
    return [
      'relay/cli.ts',
      '--port',
      String(this.port),
      '--ws-port',
      String(this.wsPort),
      '--data-dir',
      this.dataDir,
      '--dist',
      TEST_BUILD,
      '--log-level',
      this.options.logLevel ?? 'warn',
      '--fl',
      this.options.fl ? 'on' : 'off',
    ]
  }

  private get env() {
    // MESH_E2E_RELAY_NODE_OPTIONS reaches every relay of a run and nothing else, e.g. '--cpu-prof --cpu-prof-dir=/tmp/prof'.
    const profiling = process.env.MESH_E2E_RELAY_NODE_OPTIONS ? { NODE_OPTIONS: process.env.MESH_E2E_RELAY_NODE_OPTIONS } : {}
    return { ...process.env, ...profiling, ...this.options.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}` }
  }

  /** Runs the CLI's --validator-entry for this relay's data dir and ports (before start). */
  async validatorEntry(): Promise<Record<string, unknown>> {
    const { stdout } = await promisify(execFile)(join(root, 'node_modules/.bin/tsx'), [...this.baseArgs, '--validator-entry'], {
      cwd: root,
      env: this.env,
    })
    return JSON.parse(stdout)
  }

  /** `moreArgs`: flags known only once other relays run (their multiaddrs for --peers). */
  async start(moreArgs: readonly string[] = []): Promise<RelayInfo> {
    // Its own process group, so kill() reaches the Node process under tsx too.
    const child = spawn(join(root, 'node_modules/.bin/tsx'), [...this.baseArgs, ...(this.options.extraArgs ?? []), ...moreArgs], {
      cwd: root,
      env: this.env,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    })
    this.child = child
    this.info = await new Promise<RelayInfo>((resolveReady, reject) => {
      const timer = setTimeout(() => reject(new Error(`relay did not start in 60 s:\n${this.output.join('')}`)), 60_000)
      const onData = (chunk: Buffer) => {
        const text = chunk.toString()
        this.output.push(text)
        const line = text.split('\n').find((l) => l.startsWith('MESH_RELAY_READY '))
        if (line) {
          clearTimeout(timer)
          resolveReady(JSON.parse(line.slice('MESH_RELAY_READY '.length)))
        }
      }
      child.stdout!.on('data', onData)
      child.stderr!.on('data', (chunk: Buffer) => this.output.push(chunk.toString()))
      child.once('exit', (code) => {
        clearTimeout(timer)
        reject(new Error(`relay exited with ${code} before it was ready:\n${this.output.join('')}`))
      })
    })
    return this.info
  }

  /** Sends SIGTERM and waits for a clean exit; returns the exit code. */
  async stop(): Promise<number | null> {
    const child = this.child
    if (!child || child.exitCode !== null) return child?.exitCode ?? null
    this.child = undefined
    return new Promise((resolveExit) => {
      const kill = setTimeout(() => child.kill('SIGKILL'), 15_000)
      child.once('exit', (code) => {
        clearTimeout(kill)
        resolveExit(code)
      })
      child.kill('SIGTERM')
    })
  }

  /** SIGKILL to the whole process group: a crash, with no chance to clean up. */
  kill(): void {
    const child = this.child
    if (!child || child.exitCode !== null || child.pid === undefined) return
    this.child = undefined
    process.kill(-child.pid, 'SIGKILL')
  }

  /** Process group id of the running relay (tsx and the Node process under it). */
  get pid(): number | undefined {
    return this.child?.pid
  }

  /** CPU time (user + system, ms) of this relay's process group so far: tsx and the Node process under it. Linux only (/proc); null elsewhere. */
  cpuMs(): number | null {
    const group = this.child?.pid
    if (group === undefined) return null
    let ticks = 0
    try {
      for (const entry of readdirSync('/proc')) {
        if (!/^\d+$/.test(entry)) continue
        let stat: string
        try {
          stat = readFileSync(`/proc/${entry}/stat`, 'utf8')
        } catch {
          continue
        }
        // Fields after the command name (which may hold spaces): state ppid pgrp … utime(14) stime(15).
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
        if (Number(fields[2]) === group) ticks += Number(fields[11]) + Number(fields[12])
      }
    } catch {
      return null
    }
    return (ticks * 1000) / 100 // USER_HZ is 100 on Linux
  }

  get running(): boolean {
    return this.child !== undefined && this.child.exitCode === null
  }

  async health(): Promise<Record<string, any>> {
    const response = await fetch(new URL('/healthz', this.info!.url))
    return response.json() as Promise<Record<string, any>>
  }

  async metrics(): Promise<string> {
    return (await fetch(new URL('/metrics', this.info!.url))).text()
  }
}
