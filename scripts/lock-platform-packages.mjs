#!/usr/bin/env node
// Records every platform-specific optional package (rollup, esbuild …) in package-lock.json.
// Why: the registry mirror this project is built behind serves only the packages for its own
// platform, so `npm install` writes a lock without the others — and `npm ci` then refuses that
// lock as out of sync. An entry with the package's os/cpu lets npm skip it on other platforms
// without fetching it. Run after `npm install` changes the lock.
import { readFileSync, writeFileSync } from 'node:fs'

const lockPath = new URL('../package-lock.json', import.meta.url)
const lock = JSON.parse(readFileSync(lockPath, 'utf8'))
const packages = lock.packages
const oses = ['android', 'darwin', 'freebsd', 'linux', 'openbsd', 'netbsd', 'openharmony', 'sunos', 'aix', 'win32', 'cygwin']
const cpus = ['arm64', 'arm', 'x64', 'ia32', 'loong64', 'mips64el', 'ppc64', 'riscv64', 's390x', 'wasm32']

/** os/cpu/libc from a name like `@rollup/rollup-linux-arm64-musl` or `@esbuild/darwin-x64`. */
function platformOf(name) {
  const parts = name.split('/').pop().split('-')
  const os = parts.find((p) => oses.includes(p))
  const cpu = parts.find((p) => cpus.includes(p)) ?? (parts.includes('arm') ? 'arm' : undefined)
  const libc = parts.includes('musl') ? 'musl' : parts.includes('gnu') || parts.includes('gnueabihf') ? 'glibc' : undefined
  return { os, cpu, libc }
}

let added = 0
for (const [path, entry] of Object.entries(packages)) {
  for (const [name, version] of Object.entries(entry.optionalDependencies ?? {})) {
    const base = path === '' ? 'node_modules' : `${path}/node_modules`
    if (packages[`${base}/${name}`] || packages[`node_modules/${name}`]) continue
    const { os, cpu, libc } = platformOf(name)
    if (!os || !cpu) continue // not a platform package: leave npm to decide
    packages[`node_modules/${name}`] = {
      version,
      ...(cpu ? { cpu: [cpu] } : {}),
      ...(entry.dev ? { dev: true } : {}),
      ...(libc ? { libc: [libc] } : {}),
      license: entry.license ?? 'MIT',
      optional: true,
      os: [os],
    }
    added++
  }
}
lock.packages = Object.fromEntries(Object.entries(packages).sort(([a], [b]) => (a === '' ? -1 : b === '' ? 1 : a.localeCompare(b))))
writeFileSync(lockPath, `${JSON.stringify(lock, null, 2)}\n`)
console.log(`recorded ${added} platform package(s)`)
