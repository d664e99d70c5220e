/** `chat4all` client commands as real processes against a started platform: accounts, sending, history, following, exit codes. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { cliUser, dropProxy, type CliUser } from '../support/cli.js'
import { startTestPlatform, type TestPlatform } from '../support/platform.js'

const password = 'correct-horse-battery'
let counter = 0
const uniqueName = (prefix: string) => `${prefix}_${process.pid}_${Date.now().toString(36)}_${counter++}`

const ndjson = (text: string) =>
  text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, any>)

// Each command is a fresh process compiling the sources through tsx: seconds each on a busy machine.
describe('chat4all client commands', { timeout: 180_000 }, () => {
  let platform: TestPlatform
  let alice: CliUser
  let bob: CliUser
  const names = { alice: uniqueName('alice'), bob: uniqueName('bob') }
  const ids: Record<string, string> = {}

  beforeAll(async () => {
    platform = await startTestPlatform()
    alice = cliUser()
    bob = cliUser()
    for (const [who, cli] of [['alice', alice], ['bob', bob]] as const) {
      const registered = await cli.run(['register', '--server', platform.url, '--username', names[who], '--password-stdin', '--json'], { stdin: `${password}\n` })
      expect(registered.code, registered.stderr).toBe(0)
      ids[who] = (JSON.parse(registered.stdout) as { user: { user_id: string } }).user.user_id
    }
  })
  afterAll(async () => {
    alice.remove()
    bob.remove()
    await platform.stop()
  })

  it('logs in and out, keeping the tokens in a 0600 file of the config directory', async () => {
    const credentials = join(bob.home, 'chat4all', 'credentials.json')
    expect(statSync(credentials).mode & 0o777).toBe(0o600)
    expect(statSync(join(bob.home, 'chat4all')).mode & 0o777).toBe(0o700)

    const out = await bob.run(['logout'])
    expect(out.code).toBe(0)
    const anonymous = await bob.run(['whoami'])
    expect(anonymous.code).toBe(3)
    expect(anonymous.stderr.trim().split('\n')).toHaveLength(1)
    expect(anonymous.stderr).toMatch(/chat4all login/)

    const wrong = await bob.run(['login', '--server', platform.url, '-u', names.bob, '--password-stdin'], { stdin: 'not the password' })
    expect(wrong.code).toBe(3)
    const login = await bob.run(['login', '--server', platform.url, '-u', names.bob, '--password-stdin'], { stdin: password })
    expect(login.code, login.stderr).toBe(0)
    expect(login.stdout).toContain(`as ${names.bob}`)
    const whoami = await bob.run(['whoami', '--json'])
    expect(JSON.parse(whoami.stdout)).toMatchObject({ profile: 'default', server: platform.url, user: { user_id: ids['bob'], username: names.bob } })
  })

  it('gets several commands of one profile through a refused token at once, the session intact', async () => {
    const path = join(bob.home, 'chat4all', 'credentials.json')
    const stored = JSON.parse(readFileSync(path, 'utf8')) as Record<string, { accessToken: string; refreshToken: string }>
    const before = stored['default']!.refreshToken
    writeFileSync(path, JSON.stringify({ default: { ...stored['default'], accessToken: 'refused.by.the.server' } }), { mode: 0o600 })
    // A refresh token spent twice would revoke the session: every command here would then fail.
    const runs = await Promise.all([1, 2, 3].map(() => bob.run(['whoami', '--json'])))
    expect(runs.map((r) => r.code), runs.map((r) => r.stderr).join('\n')).toEqual([0, 0, 0])
    const after = (JSON.parse(readFileSync(path, 'utf8')) as typeof stored)['default']!
    expect(after.refreshToken).not.toBe(before)
    expect((await bob.run(['whoami'])).code).toBe(0)
  })

  it('sends by username and from stdin, and shows history and conversations (text and --json)', async () => {
    const sent = await alice.run(['send', names.bob, 'Hi Bob', '--json'])
    expect(sent.code, sent.stderr).toBe(0)
    const accepted = JSON.parse(sent.stdout) as { conversation_id: string; seq: number; message_id: string; duplicate: boolean }
    expect(accepted).toMatchObject({ status: 'accepted', seq: 1, duplicate: false })

    const piped = await alice.run(['send', accepted.conversation_id, '-'], { stdin: 'from a pipe\n' })
    expect(piped.code, piped.stderr).toBe(0)
    expect(piped.stdout).toMatch(/Sent #2/)

    const history = await bob.run(['history', names.alice, '--json'])
    expect(history.code, history.stderr).toBe(0)
    const page = JSON.parse(history.stdout) as { conversation_id: string; messages: { seq: number; sender_id: string; payload: { text: string } }[] }
    expect(page.conversation_id).toBe(accepted.conversation_id)
    expect(page.messages.map((m) => [m.seq, m.sender_id, m.payload.text])).toEqual([
      [1, ids['alice'], 'Hi Bob'],
      [2, ids['alice'], 'from a pipe'],
    ])
    const forPeople = await bob.run(['history', accepted.conversation_id])
    expect(forPeople.stdout).toMatch(new RegExp(`#1 \\d\\d:\\d\\d ${names.alice}: Hi Bob`))
    expect(forPeople.stdout).not.toMatch(/\x1b\[/) // NO_COLOR, and not a terminal

    const list = await bob.run(['conversations', 'list', '--json'])
    const listed = JSON.parse(list.stdout) as { conversations: { conversation_id: string; unread_count: number }[] }
    expect(listed.conversations.map((c) => c.conversation_id)).toContain(accepted.conversation_id)
    const table = await bob.run(['conversations'])
    expect(table.stdout).toMatch(/^ID\s+TITLE\s+TYPE\s+UNREAD/)
    expect(table.stdout).toContain(names.alice)

    const read = await bob.run(['read', accepted.conversation_id, '--json'])
    expect(JSON.parse(read.stdout)).toMatchObject({ conversation_id: accepted.conversation_id, read_up_to_seq: 2 })
    const status = await alice.run(['status', accepted.message_id, '--json'])
    expect(JSON.parse(status.stdout)).toMatchObject({ message_id: accepted.message_id, status: 'READ', receipts: [{ member_id: ids['bob'], status: 'READ' }] })
  })

  it('manages a group: create, show, add, remove', async () => {
    const carol = uniqueName('carol')
    const registered = await cliUser().run(['register', '--server', platform.url, '-u', carol, '--password-stdin'], { stdin: password })
    expect(registered.code).toBe(0)
    const created = await alice.run(['conversations', 'create', '--group', '--title', 'Team', names.bob, '--json'])
    expect(created.code, created.stderr).toBe(0)
    const group = JSON.parse(created.stdout) as { conversation_id: string }
    const added = await alice.run(['conversations', 'add', group.conversation_id, carol, '--json'])
    expect(JSON.parse(added.stdout).added).toHaveLength(1)
    const shown = await alice.run(['conversations', 'show', group.conversation_id])
    expect(shown.stdout).toContain('Team')
    expect(shown.stdout).toMatch(/owner/)
    const removed = await alice.run(['conversations', 'remove', group.conversation_id, ids['bob']!])
    expect(removed.code, removed.stderr).toBe(0)
    const members = JSON.parse((await alice.run(['conversations', 'show', group.conversation_id, '--json'])).stdout) as { members: { member_id: string }[] }
    expect(members.members.map((m) => m.member_id)).not.toContain(ids['bob'])
  })

  it('exits with documented codes and one line naming what to do', async () => {
    const cases: [readonly string[], number, RegExp][] = [
      [['send'], 2, /missing required argument/],
      [['history', 'x', '--limit', 'lots'], 2, /--limit/],
      [['conversations', 'create', 'a', 'b'], 2, /--group/],
      [['status', '00000000-0000-4000-8000-000000000000'], 4, /not found/],
      [['conversations', 'show', '00000000-0000-4000-8000-000000000000'], 4, /not found/i],
      [['whoami', '--server', 'http://127.0.0.1:9'], 6, /Cannot reach .* --server/],
      [['whoami', '--profile', 'nobody'], 3, /chat4all login/],
    ]
    for (const [args, code, message] of cases) {
      const run = await alice.run(args)
      expect(run.code, `${args.join(' ')}: ${run.stderr}`).toBe(code)
      expect(run.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1)
      expect(run.stderr).toMatch(message)
    }
    const json = await alice.run(['status', '00000000-0000-4000-8000-000000000000', '--json'])
    expect(JSON.parse(json.stdout)).toMatchObject({ error: { code: 'message_not_found', status: 404 } })
    // The first account of a platform is its admin.
    const letters = await alice.run(['admin', 'dead-letters', '--json'])
    expect(letters.code, letters.stderr).toBe(0)
    expect(JSON.parse(letters.stdout)).toEqual({ dead_letters: [] })
    const refused = await bob.run(['admin', 'dead-letters'])
    expect(refused.code).toBe(3)
    expect(refused.stderr).toMatch(/admin/)
    const help = await alice.run(['send', '--help'])
    expect(help.code).toBe(0)
    for (const option of ['--file <path>', '--channels <list>', '--json', '--server <url>', '--profile <name>']) expect(help.stdout).toContain(option)
  })

  it('--follow prints what another user sends, with receipts, and resumes after a dropped connection', async () => {
    const proxy = await dropProxy(platform.url)
    try {
      const before = JSON.parse((await alice.run(['send', names.bob, 'before following', '--json'])).stdout) as { conversation_id: string; seq: number }
      const conversation = { conversation_id: before.conversation_id }
      const start = before.seq
      const follow = bob.spawn(['history', conversation.conversation_id, '--follow', '--json', '--limit', '1', '--server', proxy.url])
      await follow.waitFor(new RegExp(`"seq":${start}\\b`))
      // The stream is live once the replay is done; a message sent now must arrive live.
      const live = await alice.run(['send', conversation.conversation_id, 'live one'])
      expect(live.code).toBe(0)
      await follow.waitFor(/live one/)
      await follow.waitFor(new RegExp(`"message.status".*"member_id":"${ids['bob']}".*"status":"DELIVERED"`))
      expect(proxy.dropAll()).toBeGreaterThan(0)
      for (const text of ['after the drop 1', 'after the drop 2']) expect((await alice.run(['send', conversation.conversation_id, text])).code).toBe(0)
      await follow.waitFor(/after the drop 2/)
      // Read on another device of bob's: the receipt reaches this one live.
      const read = await bob.run(['read', conversation.conversation_id])
      expect(read.code).toBe(0)
      await follow.waitFor(new RegExp(`"member_id":"${ids['bob']}".*"status":"READ"`))
      follow.child.kill('SIGINT')
      expect(await follow.exited).toBe(0)

      const frames = ndjson(follow.stdout())
      const messages = frames.filter((f) => f['type'] === 'message.created').map((f) => [f['message'].seq, f['message'].payload.text])
      expect(messages).toEqual([
        [start, 'before following'],
        [start + 1, 'live one'],
        [start + 2, 'after the drop 1'],
        [start + 3, 'after the drop 2'],
      ])
    } finally {
      await proxy.close()
    }
  })
})
