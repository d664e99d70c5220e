/**
 * File throughput benchmark (reported, not asserted): upload and download throughput of a large
 * file through each upload path — tus (tus-js-client), chunked REST, simple multipart — against a
 * server in its own process on loopback, and the server's peak RSS growth while it takes a 2 GiB
 * upload on each path. Medians of several runs with their spread; results also go to
 * bench/files/results/.
 *
 *   npm run bench:files -- [--size-mib 1024] [--rss-mib 2048] [--runs 3] [--chunk-mib 8] [--parallel 4] [--data-parent /dev/shm]
 */
import { createReadStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs'
import { cpus, loadavg, tmpdir, totalmem } from 'node:os'
import { join } from 'node:path'
import { Readable } from 'node:stream'
import { parseArgs } from 'node:util'
import * as tus from 'tus-js-client'
import { download, MiB, root, rssOf, sampleRss, send, startServer, writeSource, type Server } from './support.js'

const { values: args } = parseArgs({
  options: {
    'size-mib': { type: 'string', default: '1024' },
    'rss-mib': { type: 'string', default: '2048' },
    runs: { type: 'string', default: '3' },
    'chunk-mib': { type: 'string', default: '8' },
    parallel: { type: 'string', default: '4' },
    /** Where the server's data directory goes: /dev/shm shows the software's ceiling without the disk. */
    'data-parent': { type: 'string', default: tmpdir() },
  },
})
const SIZE = Number(args['size-mib']) * MiB
const RSS_SIZE = Number(args['rss-mib']) * MiB
const RUNS = Number(args.runs)
const PARALLEL = Number(args.parallel)
const CHUNK_BYTES = Number(args['chunk-mib']) * MiB

// ---------------------------------------------------------------- the three upload paths

type Path = 'tus' | 'chunked' | 'simple'
type Uploader = (server: Server, token: string, file: string, size: number) => Promise<{ fileId: string; checksum: string }>

const auth = (token: string) => ({ authorization: `Bearer ${token}` })

const viaTus: Uploader = (server, token, file) =>
  new Promise((resolve, reject) => {
    const upload = new tus.Upload(createReadStream(file) as unknown as Buffer, {
      endpoint: `${server.url}/v1/uploads`,
      headers: auth(token),
      retryDelays: null,
      metadata: { filename: 'bench.bin' },
      onError: reject,
      onSuccess: async () => {
        const fileId = upload.url!.split('/').pop()!
        const meta = await send(`${server.url}/v1/files/${fileId}`, 'GET', auth(token))
        resolve({ fileId, checksum: meta.json.checksum })
      },
    })
    upload.start()
  })

const viaChunks: Uploader = async (server, token, file, size) => {
  const started = await send(
    `${server.url}/v1/files/initiate`,
    'POST',
    { ...auth(token), 'content-type': 'application/json' },
    Buffer.from(JSON.stringify({ filename: 'bench.bin', size })),
  )
  const { upload_id: id, chunk_size: chunk, total_chunks: total } = started.json as { upload_id: string; chunk_size: number; total_chunks: number }
  let next = 0
  const worker = async () => {
    for (let i = next++; i < total; i = next++) {
      const length = Math.min(chunk, size - i * chunk)
      const put = await send(
        `${server.url}/v1/files/uploads/${id}/chunks/${i}`,
        'PUT',
        { ...auth(token), 'content-type': 'application/octet-stream', 'content-length': String(length) },
        createReadStream(file, { start: i * chunk, end: i * chunk + length - 1, highWaterMark: MiB }),
      )
      if (put.status !== 200) throw new Error(`chunk ${i}: ${put.status} ${JSON.stringify(put.json)}`)
    }
  }
  await Promise.all(Array.from({ length: PARALLEL }, worker))
  const done = await send(`${server.url}/v1/files/uploads/${id}/complete`, 'POST', auth(token))
  return { fileId: id, checksum: done.json.checksum }
}

const viaMultipart: Uploader = async (server, token, file) => {
  const boundary = 'bench-boundary-7d1a'
  const body = Readable.from(
    (async function* () {
      yield Buffer.from(`--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="bench.bin"\r\n\r\n`)
      yield* createReadStream(file, { highWaterMark: MiB })
      yield Buffer.from(`\r\n--${boundary}--\r\n`)
    })(),
  )
  const reply = await send(`${server.url}/v1/files`, 'POST', { ...auth(token), 'content-type': `multipart/form-data; boundary=${boundary}` }, body)
  if (reply.status !== 201) throw new Error(`multipart: ${reply.status} ${JSON.stringify(reply.json)}`)
  return { fileId: reply.json.file_id, checksum: reply.json.checksum }
}

const uploaders: Record<Path, Uploader> = { tus: viaTus, chunked: viaChunks, simple: viaMultipart }

// ---------------------------------------------------------------- measuring

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!
const mbps = (bytes: number, ms: number) => bytes / 1e6 / (ms / 1000)
const fmt = (xs: number[]) => `${median(xs).toFixed(0)} (${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)})`

/** Removes a file's bytes after measuring, so runs do not fill the disk (the bench owns this data dir). */
function dropBlob(server: Server, fileId: string): void {
  rmSync(join(server.dataDir, 'blobs', 'files', fileId.slice(0, 2), fileId), { force: true })
}

async function main() {
  const scratch = mkdtempSync(join(tmpdir(), 'chat4all-bench-src-'))
  const results: Record<Path, { up: number[]; down: number[]; rssGrowthMiB?: number; rssBaseMiB?: number }> = {
    tus: { up: [], down: [] },
    chunked: { up: [], down: [] },
    simple: { up: [], down: [] },
  }
  const user = { username: `bench_${Date.now().toString(36)}`, password: 'correct-horse-battery' }
  const json = { 'content-type': 'application/json' }
  const server = await startServer(CHUNK_BYTES, args['data-parent'])
  try {
    await send(`${server.url}/auth/register`, 'POST', json, Buffer.from(JSON.stringify(user)))
    const token = (await send(`${server.url}/auth/token`, 'POST', json, Buffer.from(JSON.stringify(user)))).json.access_token as string

    const source = join(scratch, 'source.bin')
    process.stdout.write(`writing a ${SIZE / MiB} MiB source file… `)
    const expected = await writeSource(source, SIZE)
    process.stdout.write('done\n')
    for (let run = 1; run <= RUNS; run++) {
      for (const path of Object.keys(uploaders) as Path[]) {
        const started = performance.now()
        const { fileId, checksum } = await uploaders[path](server, token, source, SIZE)
        const upMs = performance.now() - started
        if (checksum !== `sha256:${expected}`) throw new Error(`${path}: checksum ${checksum} ≠ ${expected}`)
        const link = await send(`${server.url}/v1/files/${fileId}/download`, 'GET', auth(token))
        const downStarted = performance.now()
        const bytes = await download(link.json.download_url)
        const downMs = performance.now() - downStarted
        if (bytes !== SIZE) throw new Error(`${path}: downloaded ${bytes} of ${SIZE} bytes`)
        results[path].up.push(mbps(SIZE, upMs))
        results[path].down.push(mbps(SIZE, downMs))
        dropBlob(server, fileId)
        console.log(`run ${run} ${path.padEnd(7)} up ${mbps(SIZE, upMs).toFixed(0)} MB/s, down ${mbps(SIZE, downMs).toFixed(0)} MB/s`)
      }
    }
    rmSync(source, { force: true })

    const big = join(scratch, 'rss.bin')
    const warm = join(scratch, 'warm.bin')
    process.stdout.write(`writing a ${RSS_SIZE / MiB} MiB file for the RSS measurement… `)
    const bigSha = await writeSource(big, RSS_SIZE)
    await writeSource(warm, 16 * MiB)
    process.stdout.write('done\n')
    // A fresh server per path, warmed up with a small upload the same way: the growth measured is
    // what taking the big file costs, not what earlier runs left in the heap.
    for (const path of Object.keys(uploaders) as Path[]) {
      const fresh = await startServer(CHUNK_BYTES, args['data-parent'])
      try {
        await send(`${fresh.url}/auth/register`, 'POST', json, Buffer.from(JSON.stringify(user)))
        const freshToken = (await send(`${fresh.url}/auth/token`, 'POST', json, Buffer.from(JSON.stringify(user)))).json.access_token as string
        await uploaders[path](fresh, freshToken, warm, 16 * MiB)
        await new Promise((resolve) => setTimeout(resolve, 500))
        const base = rssOf(fresh.pid)
        const sampler = sampleRss(fresh.pid)
        const { fileId, checksum } = await uploaders[path](fresh, freshToken, big, RSS_SIZE)
        const peak = sampler.stop()
        if (checksum !== `sha256:${bigSha}`) throw new Error(`${path}: ${RSS_SIZE / MiB} MiB checksum mismatch`)
        dropBlob(fresh, fileId)
        results[path].rssBaseMiB = base / MiB
        results[path].rssGrowthMiB = (peak - base) / MiB
        console.log(`${path.padEnd(7)} ${RSS_SIZE / MiB} MiB upload: RSS ${(base / MiB).toFixed(0)} → peak ${(peak / MiB).toFixed(0)} MiB`)
      } finally {
        await fresh.stop()
      }
    }
  } finally {
    await server.stop()
    rmSync(scratch, { recursive: true, force: true })
  }

  const lines = [
    `# File throughput — ${new Date().toISOString()}`,
    '',
    `Machine: ${cpus().length} × ${cpus()[0]?.model ?? '?'}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB; Node ${process.version}; file blob store, SQLite;`,
    `data under ${args['data-parent']}; load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}.`,
    `Loopback, server in its own process; ${SIZE / MiB} MiB file, ${RUNS} runs, median (min–max) in MB/s (10^6 bytes/s);`,
    `server chunk ${args['chunk-mib']} MiB, chunked REST with ${PARALLEL} chunks in flight; tus-js-client with one PATCH.`,
    '',
    '| path | upload MB/s | download MB/s | RSS before → growth while taking ' + `${RSS_SIZE / MiB} MiB |`,
    '|---|---|---|---|',
    ...(Object.keys(results) as Path[]).map(
      (path) =>
        `| ${path} | ${fmt(results[path].up)} | ${fmt(results[path].down)} | ${results[path].rssBaseMiB?.toFixed(0)} MiB → +${results[path].rssGrowthMiB?.toFixed(0)} MiB |`,
    ),
    '',
    'Targets (issue): ≥ 300 MB/s, RSS growth < 100 MB. Reported, not asserted.',
  ]
  const report = lines.join('\n')
  console.log(`\n${report}\n`)
  const dir = join(root, 'bench/files/results')
  mkdirSync(dir, { recursive: true })
  const stamp = new Date().toISOString().replace(/:/g, '-').replace(/\.\d+Z$/, 'Z')
  writeFileSync(join(dir, `${stamp}.md`), `${report}\n`)
  writeFileSync(join(dir, `${stamp}.json`), `${JSON.stringify({ size: SIZE, rssSize: RSS_SIZE, runs: RUNS, results }, null, 2)}\n`)
}

await main()
