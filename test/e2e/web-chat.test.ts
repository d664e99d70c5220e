/**
 * The web client in a real Chromium, two browser contexts as two people against a started platform:
 * register, start a conversation, chat live with typing, presence and read ticks, send a file with
 * a progress bar, pause and resume, download it on the other side byte for byte, drop the network
 * and recover with no gap and no duplicate, keep the session across a reload, fit a phone.
 */
import { createHash, randomBytes } from 'node:crypto'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { deflateSync } from 'node:zlib'
import type { Browser, BrowserContext, Page } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ensureWebClientBuilt, launchChromium, screenshot, shouldRunBrowserTests } from '../support/browser.js'
import { newUser } from '../support/client.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'

const password = 'correct-horse-battery'
// Each run has a platform of its own: the names need not be unique.
const aliceName = 'alice'
const bobName = 'bob'

async function register(page: Page, url: string, username: string): Promise<void> {
  await page.goto(url)
  await page.getByRole('button', { name: 'New here? Create an account' }).click()
  await page.getByLabel('Username').fill(username)
  await page.getByLabel('Password').fill(password)
  await page.getByRole('button', { name: 'Create account' }).click()
  await page.locator('.sidebar-head', { hasText: username }).waitFor()
  await page.locator('[data-stream="live"]').waitFor({ state: 'attached' })
}

const myMessage = (page: Page, text: string) => page.locator('li.message.mine:not(.pending)', { hasText: text })
const tickOf = (page: Page, text: string, tick: string) => myMessage(page, text).locator(`[data-tick="${tick}"]`)

async function send(page: Page, text: string): Promise<void> {
  await page.getByLabel('Message', { exact: true }).fill(text)
  await page.getByLabel('Message', { exact: true }).press('Enter')
}

/** What Alice sends while Bob's network is down. */
const missed = ['The report is up there', 'Page 3 has the numbers', 'Are you around?', 'Lunch at 1?', 'Ping me when you are back']

/**
 * Types into the composer until the other page shows the typing indicator. The indicator lasts 5 s
 * unless renewed, so a busy machine must not make the test miss it: typing goes on while waiting.
 */
async function typeUntilSeen(typist: Page, watcher: Page): Promise<void> {
  let seen = false
  const typing = (async () => {
    while (!seen) {
      await typist.getByLabel('Message', { exact: true }).press('.')
      await typist.waitForTimeout(500)
    }
  })()
  await watcher.locator('.subtitle.typing').waitFor()
  seen = true
  await typing
}

/** The seqs and message ids the page shows, in page order. */
async function shown(page: Page): Promise<{ seqs: number[]; ids: string[] }> {
  const items = page.locator('li.message[data-seq]')
  const seqs = (await items.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-seq')))).map(Number)
  const ids = await items.evaluateAll((lis) => lis.map((li) => li.getAttribute('data-message-id') ?? ''))
  return { seqs, ids }
}

/** A valid PNG, 240×150, a sunset-like gradient: the other side must see it as an image. */
function gradientPng(): Buffer {
  const crcTable = Array.from({ length: 256 }, (_, n) => {
    let c = n
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    return c >>> 0
  })
  const crc = (bytes: Buffer) => {
    let c = 0xffffffff
    for (const b of bytes) c = crcTable[(c ^ b) & 0xff]! ^ (c >>> 8)
    return (c ^ 0xffffffff) >>> 0
  }
  const chunk = (type: string, data: Buffer) => {
    const body = Buffer.concat([Buffer.from(type), data])
    const out = Buffer.alloc(body.length + 8)
    out.writeUInt32BE(data.length, 0)
    body.copy(out, 4)
    out.writeUInt32BE(crc(body), body.length + 4)
    return out
  }
  const header = Buffer.alloc(13)
  const [width, height] = [240, 150]
  header.writeUInt32BE(width, 0)
  header.writeUInt32BE(height, 4)
  header[8] = 8 // bit depth
  header[9] = 2 // RGB
  const rows = Array.from({ length: height }, (_, y) => {
    const row = Buffer.alloc(1 + width * 3) // filter byte 0, then RGB
    for (let x = 0; x < width; x++) row.set([250 - y, 120 + Math.round((x * 60) / width), 60 + y], 1 + x * 3)
    return row
  })
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', header),
    chunk('IDAT', deflateSync(Buffer.concat(rows))),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

describe.skipIf(!shouldRunBrowserTests('web client in Chromium'))('the web client in a real Chromium', () => {
  let server: TestPlatform
  let browser: Browser
  let aliceContext: BrowserContext
  let bobContext: BrowserContext
  let alice: Page
  let bob: Page
  let conversationPath = ''
  /** What the page's CSP refused: the client must need nothing it forbids. */
  const cspViolations: string[] = []

  beforeAll(async () => {
    ensureWebClientBuilt()
    server = await startTestPlatform()
    browser = await launchChromium()
    aliceContext = await browser.newContext({ viewport: { width: 1100, height: 720 }, colorScheme: 'light' })
    bobContext = await browser.newContext({ viewport: { width: 1100, height: 720 }, colorScheme: 'light', acceptDownloads: true })
    alice = await aliceContext.newPage()
    bob = await bobContext.newPage()
    for (const page of [alice, bob]) {
      page.on('console', (message) => {
        if (/Content Security Policy/i.test(message.text())) cspViolations.push(message.text())
      })
    }
  }, 180_000)

  afterAll(async () => {
    await browser?.close()
    await server?.stop()
  }, 120_000)

  it('registers two people who chat live, with typing, presence and ticks moving sent → delivered → read', async () => {
    await register(alice, server.url, aliceName)
    await register(bob, server.url, bobName)

    await alice.getByRole('button', { name: '+ New conversation' }).click()
    await alice.getByLabel('Username or address').fill(bobName)
    await alice.getByRole('button', { name: 'Start' }).click()
    await alice.locator('.conversation-head h2', { hasText: bobName }).waitFor()
    conversationPath = new URL(alice.url()).pathname
    expect(conversationPath, 'the address bar names the conversation').toMatch(/^\/c\/[0-9a-f-]{36}$/)
    await bob.locator('.conversation', { hasText: 'No messages yet' }).waitFor()

    // Bob's network is down: Alice's message is stored (one tick) but cannot reach him.
    await bobContext.setOffline(true)
    await send(alice, 'Hello Bob')
    await tickOf(alice, 'Hello Bob', 'sent').waitFor()
    await bobContext.setOffline(false)
    await tickOf(alice, 'Hello Bob', 'delivered').waitFor()

    // Bob sees it in his list, unread, with a preview and Alice's name; opening it reads it.
    const entry = bob.locator('.conversation', { hasText: 'Hello Bob' })
    await entry.locator('[data-unread="1"]').waitFor()
    await entry.getByText(aliceName).waitFor()
    await screenshot(bob, 'conversation-list')
    await entry.click()
    await tickOf(alice, 'Hello Bob', 'read').waitFor()
    expect(await entry.locator('[data-unread]').count(), 'nothing unread once open').toBe(0)

    // Presence: a fresh connection is told its contacts' state.
    await alice.reload()
    await alice.locator('.subtitle[data-presence="online"]').waitFor()

    // Typing shows on the other side; the message arrives live, and is read at once.
    await typeUntilSeen(bob, alice)
    await alice.locator('.subtitle.typing', { hasText: `${bobName} is typing` }).waitFor()
    await send(bob, 'Hi Alice!')
    await alice.locator('li.message.theirs', { hasText: 'Hi Alice!' }).waitFor()
    await tickOf(bob, 'Hi Alice!', 'read').waitFor()
    await alice.locator('.subtitle.typing').waitFor({ state: 'detached' })
  }, 120_000)

  it('uploads a file through tus with a progress bar, pause and resume; the other side downloads the same bytes and sees images', async () => {
    // Two tus chunks (the client sends 5 MiB at a time).
    const bytes = randomBytes(6 * 1024 * 1024)
    // The second chunk waits until the bar has been seen part-way: progress is asserted, not raced.
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let patches = 0
    await alice.route('**/v1/uploads/**', async (route) => {
      if (route.request().method() === 'PATCH' && ++patches === 2) await gate
      await route.continue().catch(() => undefined) // an aborted (paused) request is gone
    })
    await alice.locator('input[type="file"]').setInputFiles({ name: 'report.pdf', mimeType: 'application/pdf', buffer: bytes })
    const shownPercent = async () => Number((await alice.locator('[data-percent]').getAttribute('data-percent')) ?? 0)
    await expect.poll(shownPercent, { timeout: 30_000 }).toBeGreaterThanOrEqual(40)
    const percent = Number(await alice.locator('[data-percent]').getAttribute('data-percent'))
    expect(percent, 'the bar shows the first chunk sent, not the whole file').toBeLessThan(100)
    await screenshot(alice, 'upload-progress')

    await alice.getByRole('button', { name: 'Pause' }).click()
    await alice.locator('.upload[data-state="paused"]').waitFor()
    release()
    await alice.getByRole('button', { name: 'Resume' }).click()
    await myMessage(alice, 'report.pdf').waitFor()
    await alice.unroute('**/v1/uploads/**')

    const download = bob.waitForEvent('download')
    await bob.locator('li.message.theirs', { hasText: 'report.pdf' }).getByRole('button').click()
    const saved = await (await download).path()
    expect(createHash('sha256').update(readFileSync(saved)).digest('hex'), 'the downloaded bytes are the uploaded ones').toBe(
      createHash('sha256').update(bytes).digest('hex'),
    )

    // Dropped on the conversation, a file goes the same way.
    const dropped = await alice.evaluateHandle(
      `(() => { const d = new DataTransfer(); d.items.add(new File(['minutes of the meeting'], 'notes.txt', { type: 'text/plain' })); return d })()`,
    )
    await alice.locator('main.conversation-view').dispatchEvent('drop', { dataTransfer: dropped })
    await bob.locator('li.message.theirs', { hasText: 'notes.txt' }).waitFor()

    await alice.locator('input[type="file"]').setInputFiles({ name: 'sunset.png', mimeType: 'image/png', buffer: gradientPng() })
    const image = bob.locator('li.message.theirs img.preview-image')
    await image.waitFor()
    // Decoded, not just present: the page's CSP lets it load the signed URL.
    await expect.poll(() => image.evaluate((img) => (img as unknown as { naturalWidth: number }).naturalWidth), { timeout: 30_000 }).toBe(240)
  }, 120_000)

  it('resumes an upload cut by a reload from the server\'s offset once the file is picked again', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'chat4all-web-'))
    const path = join(dir, 'video.mp4') // a file on disk: its name, size and mtime make tus's fingerprint
    writeFileSync(path, randomBytes(6 * 1024 * 1024))
    let release!: () => void
    const gate = new Promise<void>((resolve) => (release = resolve))
    let patches = 0
    await alice.route('**/v1/uploads/**', async (route) => {
      if (route.request().method() === 'PATCH' && ++patches === 2) await gate
      await route.continue().catch(() => undefined)
    })
    await alice.locator('input[type="file"]').setInputFiles(path)
    await expect.poll(async () => Number((await alice.locator('[data-percent]').getAttribute('data-percent')) ?? 0), { timeout: 30_000 }).toBeGreaterThanOrEqual(40)
    // The reload cuts the second chunk while it is held: the server has the first one only.
    await alice.reload()
    await alice.unroute('**/v1/uploads/**')
    release()
    await alice.getByText('video.mp4 (6.0 MB) was interrupted').waitFor()
    const offsets: string[] = []
    await alice.route('**/v1/uploads/**', async (route) => {
      if (route.request().method() === 'PATCH') offsets.push((await route.request().headerValue('upload-offset')) ?? '')
      await route.continue()
    })
    await alice.locator('input[type="file"]').setInputFiles(path)
    await bob.locator('li.message.theirs', { hasText: 'video.mp4' }).waitFor()
    await alice.unroute('**/v1/uploads/**')
    expect(offsets[0], 'the upload went on from the first chunk the server had').toBe(String(5 * 1024 * 1024))
    expect(await alice.getByText('was interrupted').count(), 'nothing left to resume').toBe(0)
    rmSync(dir, { recursive: true, force: true })
  }, 120_000)

  it('shows the lost connection, keeps what is typed offline, and resumes with no gap and no duplicate', async () => {
    const before = await shown(bob)
    await bobContext.setOffline(true)
    await bob.locator('[data-stream="reconnecting"]', { hasText: 'Reconnecting' }).waitFor()
    await send(bob, 'typed while offline')
    await bob.locator('li.pending', { hasText: 'typed while offline' }).waitFor()
    for (const text of missed) await send(alice, text)
    await myMessage(alice, missed.at(-1)!).waitFor()
    await screenshot(bob, 'reconnecting')

    await bobContext.setOffline(false)
    await bob.locator('[data-stream="live"]').waitFor({ state: 'attached' })
    await bob.locator('li.message.theirs', { hasText: missed.at(-1)! }).waitFor()
    await myMessage(bob, 'typed while offline').waitFor()
    await alice.locator('li.message.theirs', { hasText: 'typed while offline' }).waitFor()

    const after = await shown(bob)
    const first = after.seqs[0]!
    expect(after.seqs, 'every seq once, in order, none missing').toEqual(after.seqs.map((_, i) => first + i))
    expect(new Set(after.ids).size, 'no message twice').toBe(after.ids.length)
    expect(after.seqs.length, 'five from Alice and one from Bob were added').toBe(before.seqs.length + 6)
    expect(await alice.locator('li.message', { hasText: 'typed while offline' }).count(), 'the offline send arrived once').toBe(1)
  }, 120_000)

  it('scrolls back through a long history page by page on a new device, every message once and in order', async () => {
    const dave = await newUser(server.url, 'dave')
    let lastId = ''
    for (let i = 1; i <= 120; i++) {
      const sent = await dave.post<{ message_id: string }>('/v1/messages', { to: aliceName, payload: { type: 'text', text: `line ${i}` }, metadata: { sender_name: dave.username } })
      expect(sent.status).toBe(202)
      lastId = sent.body.message_id
    }
    // Alice's open page receives all of it live and acknowledges it…
    const entry = alice.locator('.conversation', { hasText: dave.username })
    await entry.locator('[data-unread="120"]').waitFor()
    const aliceReceipt = async () => (await dave.get<{ receipts: { status: string }[] }>(`/v1/messages/${lastId}`)).body.receipts[0]?.status
    await expect.poll(aliceReceipt, { timeout: 30_000 }).toBe('DELIVERED')
    // …so a new device of hers is replayed nothing, and reads the history page by page.
    const laptop = await browser.newContext({ viewport: { width: 1100, height: 720 } })
    const page = await laptop.newPage()
    await page.goto(server.url)
    await page.getByLabel('Username').fill(aliceName)
    await page.getByLabel('Password').fill(password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.locator('.conversation', { hasText: dave.username }).click()
    await page.locator('li.message.theirs', { hasText: 'line 120' }).waitFor()
    expect((await shown(page)).seqs.length, 'the newest page first').toBe(50)
    while ((await shown(page)).seqs.length < 120) {
      const before = (await shown(page)).seqs.length
      await page.locator('.messages').evaluate((el) => el.scrollTo(0, 0))
      await expect.poll(async () => (await shown(page)).seqs.length, { timeout: 30_000 }).toBeGreaterThan(before)
    }
    expect((await shown(page)).seqs, 'seq 1 to 120, once each, in order').toEqual(Array.from({ length: 120 }, (_, i) => i + 1))
    expect(await page.locator('.older').count(), 'nothing older to load').toBe(0)
    // Read on the new device: the first page's badge goes too.
    await entry.locator('[data-unread]').waitFor({ state: 'detached' })
    await laptop.close()
  }, 120_000)

  it('keeps the session across a reload, opens deep links, fits a phone, and ends an expired session cleanly', async () => {
    await bob.goto(`${server.url}${conversationPath}`)
    await bob.locator('.conversation-head h2', { hasText: aliceName }).waitFor()
    await bob.locator('li.message', { hasText: missed.at(-1)! }).waitFor()
    await typeUntilSeen(bob, alice)
    await screenshot(alice, 'conversation')

    const phone = await browser.newContext({ viewport: { width: 390, height: 780 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true })
    const page = await phone.newPage()
    await register(page, server.url, 'carol')
    await page.getByRole('button', { name: '+ New conversation' }).click()
    await page.getByLabel('Group').check()
    await page.getByLabel('Title').fill('Weekend plans')
    await page.getByLabel(/^Members/).fill(`${aliceName}, ${bobName}, whatsapp:+5511999998888`)
    await page.getByRole('button', { name: 'Create group' }).click()
    await page.locator('.conversation-head h2', { hasText: 'Weekend plans' }).waitFor()
    expect(await page.locator('nav.sidebar').isVisible(), 'one pane at a time on a phone').toBe(false)
    await send(page, 'Saturday at the beach?')
    await page.getByRole('button', { name: 'Members' }).click()
    await page.locator('.members [aria-label="WhatsApp"]').waitFor()
    await page.locator('.members', { hasText: bobName }).waitFor()
    await page.getByRole('button', { name: 'Members' }).click()
    await alice.locator('.conversation', { hasText: 'Weekend plans' }).click()
    await alice.locator('li.message.theirs', { hasText: 'Saturday at the beach?' }).waitFor()
    await send(alice, 'Count me in!')
    // The WhatsApp contact answers from their phone (the platform's WhatsApp simulator plays it),
    // once the group's message reached it: a contact's reply lands where they were last written from.
    const reachedWhatsApp = async () => {
      const sim = (await (await fetch(`${server.url}/_sim/whatsapp/_sim/messages`)).json()) as { messages: { text?: string }[] }
      return sim.messages.some((m) => m.text === 'Saturday at the beach?')
    }
    await expect.poll(reachedWhatsApp, { timeout: 30_000 }).toBe(true)
    const inbound = await fetch(`${server.url}/_sim/whatsapp/_sim/contacts/+5511999998888/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ text: 'Só se tiver sol ☀', name: 'Ana' }),
    })
    expect(inbound.ok, 'the simulator took the contact\'s message').toBe(true)
    const fromWhatsApp = page.locator('li.message.theirs', { hasText: 'Só se tiver sol' })
    await fromWhatsApp.locator('[aria-label="WhatsApp"]').waitFor()
    await page.locator('li.message.theirs', { hasText: 'Count me in!' }).getByText(aliceName).waitFor()
    await screenshot(page, 'phone-group')

    // Receipts per member on demand, then a member removed: his list drops the group.
    await myMessage(page, 'Saturday at the beach?').locator('[data-tick]').click()
    const receipts = page.getByRole('list', { name: 'Receipts' })
    await receipts.getByText(`${aliceName}: read`).waitFor()
    await receipts.getByText('+5511999998888:').waitFor()
    await page.getByRole('button', { name: 'Members' }).click()
    await page.locator('.members li', { hasText: bobName }).getByRole('button', { name: 'Remove' }).click()
    await bob.locator('.conversation', { hasText: 'Weekend plans' }).waitFor({ state: 'detached' })
    await page.locator('.subtitle', { hasText: '3 members' }).waitFor()
    await page.getByRole('button', { name: 'Members' }).click()
    await page.getByRole('button', { name: 'Back to conversations' }).click()
    await page.locator('.conversation', { hasText: 'Weekend plans' }).waitFor()

    // A refresh token the server no longer honours: the next load asks to sign in again.
    // (Page-side code as text: the tests' type-check knows Node's globals, not the DOM's.)
    await page.evaluate(`localStorage.setItem('chat4all.session', JSON.stringify({ refresh_token: 'revoked', username: 'carol' }))`)
    await page.reload()
    await page.getByText('Your session has ended. Sign in again.').waitFor()
    await phone.close()
  }, 120_000)

  it('needed nothing the page\'s Content Security Policy forbids', () => {
    expect(cspViolations).toEqual([])
  })
})
