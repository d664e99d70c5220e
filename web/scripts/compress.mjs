// Writes .br and .gz beside each text asset of web/dist, served by the platform as they are
// (@fastify/static preCompressed): the smallest first load without compressing on every request.
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

const dist = new URL('../dist/', import.meta.url).pathname
const compressible = /\.(js|css|html|svg|json|txt)$/

function* files(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* files(path)
    else if (compressible.test(name)) yield path
  }
}

let raw = 0
let gz = 0
let br = 0
for (const path of files(dist)) {
  const bytes = readFileSync(path)
  const gzipped = gzipSync(bytes, { level: 9 })
  const brotli = brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } })
  writeFileSync(`${path}.gz`, gzipped)
  writeFileSync(`${path}.br`, brotli)
  raw += bytes.length
  gz += gzipped.length
  br += brotli.length
}
console.log(`web/dist: ${raw} bytes, ${gz} gzip, ${br} brotli`)
