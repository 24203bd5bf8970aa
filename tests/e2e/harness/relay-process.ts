import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { freePort } from './ports'

export interface RelayInfo {
  readonly url: string
  readonly peerId: string
  readonly multiaddrs: string[]
}

const root = resolve(import.meta.dirname, '../../..')

/**
 * A real relay process (the same CLI `npm start` runs) on free ports with its own data
 * directory; it can be stopped and started again on the same ports and identity.
 */
export class RelayProcess {
  private child: ChildProcess | undefined
  info: RelayInfo | undefined
  readonly output: string[] = []

  private constructor(
    readonly port: number,
    readonly wsPort: number,
    readonly dataDir: string,
  ) {}

  static async create(): Promise<RelayProcess> {
    return new RelayProcess(await freePort(), await freePort(), mkdtempSync(join(tmpdir(), 'mesh-relay-')))
  }

  async start(): Promise<RelayInfo> {
    const child = spawn(join(root, 'node_modules/.bin/tsx'), ['relay/cli.ts', '--port', String(this.port), '--ws-port', String(this.wsPort), '--data-dir', this.dataDir, '--log-level', 'warn'], {
      cwd: root,
      env: { ...process.env, PATH: `${join(root, 'node_modules/.bin')}:${process.env.PATH}` },
      stdio: ['ignore', 'pipe', 'pipe'],
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

  async health(): Promise<Record<string, any>> {
    const response = await fetch(new URL('/healthz', this.info!.url))
    return response.json() as Promise<Record<string, any>>
  }

  async metrics(): Promise<string> {
    return (await fetch(new URL('/metrics', this.info!.url))).text()
  }
}
