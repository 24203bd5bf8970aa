import { chromium, type Browser } from 'playwright-core'
import { existsSync } from 'node:fs'

/** Debian's Chromium (installed by scripts/install-chromium.sh), or CHROMIUM_PATH. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium'

/** The flags this closed network needs; without the background-networking ones, Chromium's own connections are refused. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/** Headless Chromium for simulated devices (tests, benches, `npm run demo`); each device then takes its own context. */
export async function launchHeadlessChromium(extraArgs: string[] = []): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: run 'bash scripts/install-chromium.sh' (npm test does), or set CHROMIUM_PATH`)
  }
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: [...CHROMIUM_ARGS, ...extraArgs] })
}
