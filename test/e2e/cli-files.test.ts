/** `chat4all upload` and `download` as real processes: SIGKILLed mid-transfer, run again, resumed to the same SHA-256. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createHash, randomBytes } from 'node:crypto'
import { readFileSync, statSync, writeFileSync, existsSync } from 'node:fs'
import { join } from 'node:path'
import { cliUser, type CliUser } from '../support/cli.js'
import { startTestPlatform, tempDir, type TestPlatform } from '../support/platform.js'

const MiB = 1024 * 1024
const password = 'correct-horse-battery'

/** The largest "N.N MiB / total" a progress line reported so far. */
const progressMiB = (stderr: string) => Math.max(0, ...[...stderr.matchAll(/\| (\d+\.\d) MiB \//g)].map((m) => Number(m[1])))

async function until<T>(probe: () => T | Promise<T>, ok: (value: T) => boolean, what: string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    const value = await probe()
    if (ok(value)) return value
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`)
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
}

describe('chat4all upload and download', { timeout: 180_000 }, () => {
  let platform: TestPlatform
  let alice: CliUser
  const dir = tempDir('chat4all-cli-files-')
  const path = join(dir.path, 'payload.bin')
  let sha256 = ''
  let fileId = ''

  beforeAll(async () => {
    platform = await startTestPlatform()
    alice = cliUser()
    const username = `files_${process.pid}_${Date.now().toString(36)}`
    const registered = await alice.run(['register', '--server', platform.url, '-u', username, '--password-stdin'], { stdin: password })
    expect(registered.code, registered.stderr).toBe(0)
    const bytes = randomBytes(24 * MiB)
    writeFileSync(path, bytes)
    sha256 = createHash('sha256').update(bytes).digest('hex')
  })
  afterAll(async () => {
    alice.remove()
    dir.remove()
    await platform.stop()
  })

  it('resumes an upload killed mid-way from the server offset, to the same checksum', async () => {
    const first = alice.spawn(['upload', path, '--limit-rate', '3M'])
    await until(() => progressMiB(first.stderr()), (mib) => mib >= 12, 'the upload to pass 12 MiB')
    // Kill only once the server has stored some of it: the offset it reports is where the next run starts.
    const uploads = join(alice.home, 'chat4all', 'uploads.json')
    const url = Object.values((JSON.parse(readFileSync(uploads, 'utf8')) as Record<string, Record<string, string>>)['default']!)[0]!
    const { accessToken } = (JSON.parse(readFileSync(join(alice.home, 'chat4all', 'credentials.json'), 'utf8')) as Record<string, { accessToken: string }>)['default']!
    const offsetNow = async () => Number((await fetch(url, { method: 'HEAD', headers: { 'tus-resumable': '1.0.0', authorization: `Bearer ${accessToken}` } })).headers.get('upload-offset'))
    await until(offsetNow, (offset) => offset > 0, 'the server to store a first chunk')
    first.child.kill('SIGKILL')
    expect(await first.exited).toBe('SIGKILL')
    const offset = await offsetNow()
    expect(offset).toBeLessThan(24 * MiB)

    const again = await alice.run(['upload', path, '--json'])
    expect(again.code, again.stderr).toBe(0)
    const result = JSON.parse(again.stdout) as { file_id: string; checksum: string; size_bytes: number; resumed_from: number; state: string }
    expect(result).toMatchObject({ checksum: `sha256:${sha256}`, size_bytes: 24 * MiB, state: 'ready' })
    // From what the server had (a chunk in flight at the kill may have landed after the HEAD above).
    expect(result.resumed_from).toBeGreaterThanOrEqual(offset)
    expect(result.resumed_from).toBeLessThan(24 * MiB)
    expect(url.endsWith(result.file_id)).toBe(true)
    expect(JSON.parse(readFileSync(uploads, 'utf8'))['default']).toEqual({}) // forgotten once complete
    fileId = result.file_id
  })

  it('resumes a download killed mid-way with Range, and verifies the checksum', async () => {
    expect(fileId).not.toBe('')
    const out = join(dir.path, 'copy.bin')
    const first = alice.spawn(['download', fileId, '-o', out, '--limit-rate', '3M'])
    await until(() => (existsSync(`${out}.part`) ? statSync(`${out}.part`).size : 0), (size) => size >= 6 * MiB, 'a partial download')
    first.child.kill('SIGKILL')
    await first.exited
    const partial = statSync(`${out}.part`).size
    expect(partial).toBeLessThan(24 * MiB)

    const again = await alice.run(['download', fileId, '-o', out, '--json'])
    expect(again.code, again.stderr).toBe(0)
    expect(JSON.parse(again.stdout)).toMatchObject({ file_id: fileId, path: out, resumed_from: partial, checksum: `sha256:${sha256}` })
    expect(createHash('sha256').update(readFileSync(out)).digest('hex')).toBe(sha256)
    expect(existsSync(`${out}.part`)).toBe(false)
  })

  it('refuses a partial download whose bytes are not the file, and removes it', async () => {
    const out = join(dir.path, 'corrupt.bin')
    writeFileSync(`${out}.part`, randomBytes(MiB))
    const run = await alice.run(['download', fileId, '-o', out])
    expect(run.code).toBe(7)
    expect(run.stderr.trim().split('\n').at(-1)).toMatch(/SHA-256 .* run the download again/)
    expect(existsSync(`${out}.part`)).toBe(false)
    const retried = await alice.run(['download', fileId, '-o', out])
    expect(retried.code, retried.stderr).toBe(0)
  })

  it('sends a file message with --file, shown in history', async () => {
    const small = join(dir.path, 'notes.txt')
    writeFileSync(small, 'the notes\n')
    const username = `files_peer_${process.pid}_${Date.now().toString(36)}`
    const peer = cliUser()
    try {
      expect((await peer.run(['register', '--server', platform.url, '-u', username, '--password-stdin'], { stdin: password })).code).toBe(0)
      const sent = await alice.run(['send', username, 'have a look', '--file', small, '--json'])
      expect(sent.code, sent.stderr).toBe(0)
      const history = await peer.run(['history', JSON.parse(sent.stdout).conversation_id])
      expect(history.stdout).toMatch(/📎 notes\.txt, 10 B \[[0-9a-f-]{36}\] have a look/)
    } finally {
      peer.remove()
    }
  })
})
