#!/usr/bin/env node
// Runs the compiled build (dist/, written by `npm ci` through the `prepare` script, or `npm run build`)
// with plain node. A checkout without a build — installed with --ignore-scripts, say — has no dist/,
// so the CLI falls back to running the TypeScript source through tsx rather than failing.
import { existsSync } from 'node:fs'

const built = new URL('../dist/main.js', import.meta.url)
if (existsSync(built)) {
  await import(built.href)
} else {
  const { register } = await import('tsx/esm/api')
  register()
  await import('../src/main.ts')
}
