/**
 * `chat4all chat` driven through a real pseudo-terminal of 80×24 (python3's pty module): pick a
 * conversation, type a message, see the other side's reply and typing arrive live.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import WebSocket from 'ws'
import { newUser, type ApiClient } from '../support/client.js'
import { cliUser, type CliUser } from '../support/cli.js'
import { startTestPlatform, tempDir, type TestPlatform } from '../support/platform.js'

const root = new URL('../../', import.meta.url).pathname

/** Runs argv on a pty of 24 rows × 80 columns, relaying our stdin to it and its output to our stdout. */
const PTY_RELAY = `
import os, pty, sys, select, struct, fcntl, termios
argv = sys.argv[1:]
pid, fd = pty.fork()
if pid == 0:
    fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack('HHHH', 24, 80, 0, 0))
    os.execvp(argv[0], argv)
stdin_open = True
while True:
    r, _, _ = select.select([fd] + ([0] if stdin_open else []), [], [])
    if fd in r:
        try:
            data = os.read(fd, 65536)
        except OSError:
            break
        if not data:
            break
        os.write(1, data)
    if 0 in r:
        data = os.read(0, 65536)
        if data:
            os.write(fd, data)
        else:
            stdin_open = False
_, status = os.waitpid(pid, 0)
sys.exit(os.waitstatus_to_exitcode(status))
`

interface Terminal {
  type(keys: string): void
  screen(): string
  waitFor(text: string | RegExp, timeoutMs?: number): Promise<void>
  readonly exited: Promise<number | null>
}

function openTerminal(relay: string, cli: CliUser, args: readonly string[]): Terminal {
  const child = spawn('python3', [relay, process.execPath, '--import', 'tsx', join(root, 'src/main.ts'), ...args], {
    cwd: root,
    env: { ...process.env, XDG_CONFIG_HOME: cli.home, TERM: 'xterm-256color', NO_COLOR: '', FORCE_COLOR: '', CHAT4ALL_URL: '', CHAT4ALL_PROFILE: '' },
    stdio: ['pipe', 'pipe', 'inherit'],
  })
  let output = ''
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  const plain = () => output.replace(/\x1b\[[0-9;?]*[A-Za-z]/g, '')
  return {
    type: (keys) => child.stdin.write(keys),
    screen: plain,
    exited,
    waitFor: async (text, timeoutMs = 30_000) => {
      const deadline = Date.now() + timeoutMs
      while (!(typeof text === 'string' ? plain().includes(text) : text.test(plain()))) {
        if (Date.now() > deadline) throw new Error(`the terminal never showed ${String(text)}:\n${plain()}`)
        await new Promise((resolve) => setTimeout(resolve, 50))
      }
    },
  }
}

describe('chat4all chat in a terminal', { timeout: 180_000 }, () => {
  let platform: TestPlatform
  let alice: CliUser
  let bob: ApiClient & { userId: string; username: string }
  const scratch = tempDir('chat4all-pty-')
  const relay = join(scratch.path, 'relay.py')
  let conversationId = ''

  beforeAll(async () => {
    writeFileSync(relay, PTY_RELAY)
    platform = await startTestPlatform()
    bob = await newUser(platform.url, 'ptybob')
    alice = cliUser()
    const username = `ptyalice_${process.pid}_${Date.now().toString(36)}`
    expect((await alice.run(['register', '--server', platform.url, '-u', username, '--password-stdin'], { stdin: 'correct-horse-battery' })).code).toBe(0)
    const first = await alice.run(['send', bob.username, 'first message', '--json'])
    conversationId = (JSON.parse(first.stdout) as { conversation_id: string }).conversation_id
  })
  afterAll(async () => {
    alice.remove()
    scratch.remove()
    await platform.stop()
  })

  it('sends what is typed and shows the reply, typing and receipts as they happen', async () => {
    const terminal = openTerminal(relay, alice, ['chat', conversationId])
    await terminal.waitFor('/help for commands')
    await terminal.waitFor('first message')
    terminal.type('hello from the terminal\r')

    const deadline = Date.now() + 30_000
    let texts: string[] = []
    while (!texts.includes('hello from the terminal')) {
      if (Date.now() > deadline) throw new Error('the typed message never reached the server')
      const history = await bob.get(`/v1/conversations/${conversationId}/messages`)
      texts = (history.body.messages as { payload: { text: string } }[]).map((m) => m.payload.text)
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    await terminal.waitFor(/#2 \d\d:\d\d you: hello from the terminal/)
    // Bob fetched the history: the receipt reaches alice's screen, under the name she sent to him by.
    await terminal.waitFor(`delivered to ${bob.username} up to #2`)

    const socket = new WebSocket(`${platform.url.replace('http', 'ws')}/v1/stream`, { headers: { authorization: `Bearer ${bob.token}` } })
    await new Promise((resolve) => socket.once('open', resolve))
    socket.send(JSON.stringify({ type: 'typing', conversation_id: conversationId }))
    await terminal.waitFor('is typing…')
    socket.close()

    expect((await bob.post('/v1/messages', { conversation_id: conversationId, payload: { type: 'text', text: 'reply from bob' } })).status).toBe(202)
    await terminal.waitFor(/#3 \d\d:\d\d \w+: reply from bob/)
    terminal.type('/quit\r')
    expect(await terminal.exited).toBe(0)
  })

  it('lets the user pick the conversation from a list', async () => {
    const terminal = openTerminal(relay, alice, ['chat'])
    await terminal.waitFor('Conversation')
    terminal.type('\r')
    await terminal.waitFor('/help for commands')
    await terminal.waitFor('reply from bob')
    terminal.type('\x04') // Ctrl-D leaves
    expect(await terminal.exited).toBe(0)
  })
})
