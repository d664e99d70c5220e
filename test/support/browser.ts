/**
 * Real Chromium for the web client's tests: Debian's `chromium` driven by playwright-core (which
 * downloads no browser). Without it the suites skip loudly, except under CI=true, where they run
 * and fail: .ci/run installs it.
 */
import { execFileSync } from 'node:child_process'
import { existsSync, mkdirSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { chromium, type Browser, type Page } from 'playwright-core'
import { webDistDir } from '../../src/transports/http/routes/web.js'

export const chromiumPath = process.env['CHAT4ALL_TEST_CHROMIUM'] ?? '/usr/bin/chromium'

/** False only where no browser is installed and CI is not asking for the suite. */
export function shouldRunBrowserTests(suite: string): boolean {
  if (existsSync(chromiumPath) || process.env['CI'] === 'true') return true
  console.warn(`\n⚠️  ${suite}: SKIPPED — no Chromium at ${chromiumPath}. Install it (apt-get install -y --no-install-recommends chromium) or set CHAT4ALL_TEST_CHROMIUM.\n`)
  return false
}

/**
 * The platform serves web/dist: build it once if this checkout has not (`npm ci` does). Suites run
 * in parallel, so one builds (holding a lock directory) while the others wait for its result.
 */
export function ensureWebClientBuilt(): void {
  const index = join(webDistDir, 'index.html')
  if (existsSync(index)) return
  const lock = join(webDistDir, '..', '.build-lock')
  try {
    mkdirSync(lock)
  } catch {
    const deadline = Date.now() + 180_000
    while (!existsSync(index) || existsSync(lock)) {
      if (Date.now() > deadline) throw new Error(`web/dist was not built within 3 minutes (remove ${lock} if no build is running)`)
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 250)
    }
    return
  }
  try {
    // vitest sets NODE_ENV=test, which would make Vite build the development JSX runtime.
    execFileSync('npm', ['run', 'build:web'], { cwd: join(webDistDir, '..', '..'), stdio: 'inherit', env: { ...process.env, NODE_ENV: 'production' } })
  } finally {
    rmSync(lock, { recursive: true, force: true })
  }
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    // As root in a container: no sandbox. No GPU, no QUIC, and none of the browser's own
    // background traffic (updates, sync): this machine reaches no network but loopback.
    args: [
      '--no-sandbox',
      '--headless',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  })
}

/** Screenshots go to test-results/web, or where CHAT4ALL_TEST_SCREENSHOTS says (docs/img for the README). */
export async function screenshot(page: Page, name: string): Promise<string> {
  const dir = process.env['CHAT4ALL_TEST_SCREENSHOTS'] ?? join('test-results', 'web')
  mkdirSync(dir, { recursive: true })
  const path = join(dir, `${name}.png`)
  await page.screenshot({ path })
  return path
}
