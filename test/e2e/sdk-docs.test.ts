/** Every TypeScript example of docs/sdk.md type-checks against the SDK as it is. */
import { describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { promisify } from 'node:util'

const root = new URL('../../', import.meta.url).pathname

describe('docs/sdk.md', () => {
  it('has examples that compile', { timeout: 120_000 }, async () => {
    const doc = readFileSync(join(root, 'docs/sdk.md'), 'utf8')
    const examples = [...doc.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1]!)
    expect(examples.length).toBeGreaterThanOrEqual(6)
    // Inside the repository the package's export resolves to the sources.
    const dir = join(root, `.sdk-docs-check-${process.pid}`)
    mkdirSync(dir, { recursive: true })
    try {
      examples.forEach((code, i) => writeFileSync(join(dir, `example-${i}.ts`), code.replaceAll("'chat4all/client'", "'../src/client/index.js'")))
      writeFileSync(join(dir, 'tsconfig.json'), JSON.stringify({ extends: '../tsconfig.json', compilerOptions: { noEmit: true }, include: ['*.ts'] }))
      const tsc = join(root, 'node_modules/typescript/bin/tsc')
      const result = await promisify(execFile)(process.execPath, [tsc, '-p', join(dir, 'tsconfig.json')]).then(
        () => ({ ok: true, output: '' }),
        (error: { stdout?: string }) => ({ ok: false, output: error.stdout ?? String(error) }),
      )
      expect(result.output).toBe('')
      expect(result.ok).toBe(true)
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  })
})
