/**
 * The web client's session over token expiry, in a real Chromium: with access tokens that live
 * 3 seconds, the stream is closed with 4001 again and again; the page refreshes (rotating the
 * refresh token) and reconnects without showing a lost connection, and the conversation goes on
 * with nothing lost or doubled.
 */
import type { Browser, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureWebClientBuilt, launchChromium, shouldRunBrowserTests } from '../support/browser.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'

const password = 'correct-horse-battery'

async function register(page: Page, url: string, username: string): Promise<void> {
  await page.goto(url)
  await page.getByRole('button', { name: 'New here? Create an account' }).click()
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.locator('[data-stream="live"]').waitFor({ state: 'attached' })
}

const storedRefreshToken = (page: Page) => page.evaluate(`JSON.parse(localStorage.getItem('chat4all.session')).refresh_token`) as Promise<string>

describe.skipIf(!shouldRunBrowserTests('web client session in Chromium'))('the web client over expiring tokens', () => {
  let server: TestPlatform
  let browser: Browser

  beforeAll(async () => {
    ensureWebClientBuilt()
    server = await startTestPlatform({ CHAT4ALL_ACCESS_TOKEN_TTL: '3' })
    browser = await launchChromium()
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  })

  it('refreshes, reconnects quietly and keeps chatting as tokens expire', async () => {
    const alice = await (await browser.newContext()).newPage()
    const bob = await (await browser.newContext()).newPage()
    let aliceSockets = 0
    alice.on('websocket', () => aliceSockets++)
    await register(alice, server.url, 'alice')
    await register(bob, server.url, 'bob')
    // Every state the connection bar takes, recorded in the page (code as text: see web-chat).
    await alice.evaluate(`(() => {
      window.__states = []
      const bar = document.querySelector('[data-stream]')
      new MutationObserver(() => window.__states.push(bar.dataset.stream)).observe(bar, { attributes: true })
    })()`)
    const firstToken = await storedRefreshToken(alice)

    await alice.getByRole('button', { name: '+ New conversation' }).click()
    await alice.getByLabel('Username or address').fill('bob')
    await alice.getByRole('button', { name: 'Start' }).click()
    await alice.locator('.conversation-head h2', { hasText: 'bob' }).waitFor()
    await bob.locator('.conversation').first().click()
    await bob.locator('.conversation-head').waitFor()

    // The server closes the stream when the token expires: wait for two such reconnects.
    await expect.poll(() => aliceSockets, { timeout: 60_000 }).toBeGreaterThanOrEqual(3)
    for (let i = 1; i <= 3; i++) {
      await bob.getByLabel('Message', { exact: true }).fill(`from bob ${i}`)
      await bob.getByLabel('Message', { exact: true }).press('Enter')
      await alice.getByLabel('Message', { exact: true }).fill(`from alice ${i}`)
      await alice.getByLabel('Message', { exact: true }).press('Enter')
    }
    await alice.locator('li.message.theirs', { hasText: 'from bob 3' }).waitFor()
    await bob.locator('li.message.theirs', { hasText: 'from alice 3' }).waitFor()
    await alice.locator('li.message.mine', { hasText: 'from alice 3' }).locator('[data-tick="read"]').waitFor()
    const seqs = (await alice.locator('li.message[data-seq]').evaluateAll((lis) => lis.map((li) => li.getAttribute('data-seq')))).map(Number)
    expect(seqs, 'six messages, once each, in order').toEqual([1, 2, 3, 4, 5, 6])

    expect(await storedRefreshToken(alice), 'the refresh token was rotated').not.toBe(firstToken)
    const states = (await alice.evaluate('window.__states')) as string[]
    expect(states.filter((s) => s === 'reconnecting'), 'an expired token is not shown as a lost connection').toEqual([])
    expect(await alice.locator('.auth').count(), 'still signed in').toBe(0)
  }, 120_000)
})
