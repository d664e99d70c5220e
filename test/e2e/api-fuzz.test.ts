/**
 * Generated bad input at every route the server registered (its own route table, so a new route is
 * covered without editing this file): wrong types, extreme numbers, deep nesting, huge strings,
 * broken percent-encodings and invalid UTF-8, in path parameters, query strings and bodies. Every
 * answer must be a 4xx problem+json, and the database must not change. Deterministic: the same
 * cases every run, so a failure reproduces.
 */
import { randomUUID } from 'node:crypto'
import { createHash } from 'node:crypto'
import { join } from 'node:path'
import Database from 'better-sqlite3'
import { request } from 'undici'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { newUser } from '../support/client.js'
import { startTestPlatform, tempDir, type TestPlatform } from '../support/platform.js'
import { isWebClientRoute } from '../../src/transports/http/routes/web.js'

interface Case {
  readonly what: string
  readonly method: string
  readonly path: string
  readonly body?: Buffer
  readonly contentType?: string
}

interface PropertySchema {
  readonly type?: unknown
  readonly maxLength?: number
  readonly format?: string
  readonly pattern?: string
  readonly enum?: unknown[]
  readonly anyOf?: unknown[]
}
type JsonSchema = { readonly properties?: Record<string, PropertySchema> } | undefined

const nestedArrays = (levels: number) => `${'['.repeat(levels)}${']'.repeat(levels)}`

/** Path parameter values no route accepts as an existing thing. */
const badSegments = ['%zz', '%C3%28', '%E0%A4%A', '%FF%FE', 'x'.repeat(2000), '1e309', 'Infinity', '-1', '..%2F..%2Fetc%2Fpasswd', '%00', encodeURIComponent("'; DROP TABLE users; --")]

/** Query values that are wrong for a number. */
const badNumbers = ['Infinity', '-Infinity', '1e309', '-1', 'NaN', '1.5', '9'.repeat(400), 'abc', '%FF%FE', '']

/**
 * Query values a string parameter refuses: one character over its maximum length, and for one
 * with a format, pattern or fixed set of values, text that is none of them (invalid UTF-8 too).
 * A free-form string has no wrong value but its length.
 */
function badStrings(schema: PropertySchema): string[] {
  const values = schema.maxLength === undefined ? [] : ['x'.repeat(schema.maxLength + 1)]
  if (schema.format || schema.pattern || schema.enum || schema.anyOf) values.push('Infinity', '%FF%FE', '-1', '..%2F')
  return values
}

const badQueryValues = (schema: PropertySchema): string[] =>
  schema.type === 'integer' || schema.type === 'number' ? badNumbers : badStrings(schema)

/** JSON values of the wrong type (or too big) for any one field. */
const badFieldValues = ['12345', '1e309', '-1e309', 'true', 'null', '[]', '[1,"a",{}]', nestedArrays(40), JSON.stringify('x'.repeat(300_000)), '{"__proto__":{"polluted":1}}']

/** Whole bodies no route accepts. */
const badBodies: readonly { what: string; body: Buffer }[] = [
  { what: 'malformed JSON', body: Buffer.from('{"a":') },
  { what: 'nesting 10,000 deep', body: Buffer.from(`{"metadata":${nestedArrays(10_000)}}`) },
  { what: 'invalid UTF-8 bytes', body: Buffer.from([0x7b, 0x22, 0xff, 0xfe, 0x22, 0x3a, 0xc3, 0x28]) },
]

function fill(url: string, overrides: Readonly<Record<string, string>> = {}): string {
  return url.replace(/:([A-Za-z_]+)/g, (_, name: string) => overrides[name] ?? randomUUID())
}

/** Every case for one route, derived from its URL and schema. */
export function casesFor(method: string, url: string, schema: { querystring?: unknown; body?: unknown } | undefined): Case[] {
  const cases: Case[] = []
  // tus discovery (OPTIONS) answers whatever the id: it looks nothing up.
  for (const param of method === 'OPTIONS' ? [] : (url.match(/:([A-Za-z_]+)/g) ?? [])) {
    for (const value of badSegments) cases.push({ what: `${param}=${value.slice(0, 20)}`, method, path: fill(url, { [param.slice(1)]: value }) })
  }
  cases.push({ what: 'broken percent-encoding appended', method, path: `${fill(url)}%C3%28` })
  for (const [name, property] of Object.entries((schema?.querystring as JsonSchema)?.properties ?? {})) {
    for (const value of badQueryValues(property)) cases.push({ what: `?${name}=${value.slice(0, 20)}`, method, path: `${fill(url)}?${name}=${value}` })
  }
  // GET and HEAD bodies are not read; the stream routes would answer a valid GET with a live stream.
  if (method === 'GET' || method === 'HEAD') return cases
  for (const name of Object.keys((schema?.body as JsonSchema)?.properties ?? {})) {
    for (const value of badFieldValues) {
      cases.push({ what: `body.${name}=${value.slice(0, 20)}`, method, path: fill(url), body: Buffer.from(`{"${name}":${value}}`), contentType: 'application/json' })
    }
  }
  for (const { what, body } of badBodies) cases.push({ what, method, path: fill(url), body, contentType: 'application/json' })
  return cases
}

/** A digest of every table's rows: any write a request made changes it. */
function snapshot(file: string): string {
  const db = new Database(file, { readonly: true })
  try {
    const tables = db.prepare(`SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT IN ('outbox', 'rate_limits') ORDER BY name`).all() as { name: string }[]
    const hash = createHash('sha256')
    for (const { name } of tables) hash.update(name).update(JSON.stringify(db.prepare(`SELECT * FROM "${name}" ORDER BY 1`).all()))
    return hash.digest('hex')
  } finally {
    db.close()
  }
}

describe('generated bad input at every route', () => {
  const dir = tempDir('chat4all-fuzz-')
  const dbFile = join(dir.path, 'fuzz.db')
  let server: TestPlatform
  let token: string
  beforeAll(async () => {
    server = await startTestPlatform({ CHAT4ALL_DB: `sqlite:${dbFile}` })
    const user = await newUser(server.url, 'fuzz')
    const peer = await newUser(server.url, 'fuzz')
    await user.post('/v1/conversations', { type: 'private', members: [peer.userId] })
    token = user.token!
  })
  afterAll(async () => {
    await server.stop()
    dir.remove()
  })

  it('answers every case with a 4xx problem+json and changes nothing in the database', async () => {
    // The platform simulators the all-in-one mounts under /_sim answer in WhatsApp's, Instagram's
    // and Telegram's own formats, as those platforms do: they are not the Chat4All API, and their
    // own suites test them. The web client's routes (its built files at /, /assets/…, and its deep
    // links /c/:id) serve a page and its files, not the API, so they answer no problem+json; they
    // have their own suite (test/e2e/web-serve.test.ts). Everything else the server serves is covered here.
    const routes = server.platform.http.routeTable.filter((route) => !route.url.startsWith('/_sim/') && !isWebClientRoute(route.url))
    expect(routes.length, 'the server reports its routes').toBeGreaterThan(30)
    await new Promise((resolve) => setTimeout(resolve, 500)) // the relay drains the setup's outbox
    const before = snapshot(dbFile)
    const failures: string[] = []
    let count = 0
    for (const route of routes) {
      for (const c of casesFor(route.method, route.url, route.schema as { querystring?: unknown; body?: unknown })) {
        count++
        const reply = await request(`${server.url}${c.path}`, {
          method: c.method as 'GET',
          headers: { authorization: `Bearer ${token}`, 'tus-resumable': '1.0.0', ...(c.contentType ? { 'content-type': c.contentType } : {}) },
          body: c.body ?? null,
          headersTimeout: 10_000,
        })
        const text = await reply.body.text()
        const type = String(reply.headers['content-type'] ?? '')
        const isProblem = c.method === 'HEAD' || (type.startsWith('application/problem+json') && /"type":"https:\/\/chat4all\.dev\/problems\//.test(text))
        if (reply.statusCode < 400 || reply.statusCode >= 500 || !isProblem) {
          failures.push(`${c.method} ${route.url} [${c.what}] → ${reply.statusCode} ${type} ${text.slice(0, 160)}`)
        }
      }
    }
    expect(failures, `${failures.length} of ${count} cases`).toEqual([])
    expect(snapshot(dbFile), 'no case changed the database').toBe(before)
    expect(count).toBeGreaterThan(500)
  }, 180_000)

  it('answers a request whose headers overflow the parser with a 431 problem+json', async () => {
    const reply = await request(`${server.url}/v1/conversations?cursor=${'x'.repeat(20_000)}`, { headers: { authorization: `Bearer ${token}` } })
    expect(reply.statusCode).toBe(431)
    expect(reply.headers['content-type']).toBe('application/problem+json')
    expect(await reply.body.json()).toMatchObject({ code: 'headers_too_large', status: 431 })
  })
})
