import { readFileSync } from 'node:fs'
import { status } from '@grpc/grpc-js'
import { describe, expect, it } from 'vitest'
import { appError, errorCodes, type ErrorCode } from '../../core/errors.js'
import { decodeStatusDetails, grpcStatusOf, toServiceError } from './errors.js'

const statusName = (code: number) => Object.entries(status).find(([name, value]) => value === code && Number.isNaN(Number(name)))?.[0]

describe('gRPC error mapping', () => {
  it('gives every error code a failing status, as docs/grpc.md lists it', () => {
    const documented = new Map<string, string>()
    const docs = readFileSync(new URL('../../../docs/grpc.md', import.meta.url), 'utf8')
    for (const match of docs.matchAll(/^\| `([a-z_]+)` \| \d+ \| ([A-Z_]+) \|$/gm)) documented.set(match[1]!, match[2]!)
    for (const code of Object.keys(errorCodes) as ErrorCode[]) {
      const mapped = grpcStatusOf(code)
      expect(mapped, code).not.toBe(status.OK)
      expect(documented.get(code), `docs/grpc.md's row for ${code}`).toBe(statusName(mapped))
    }
    expect([...documented.keys()].filter((code) => !(code in errorCodes)), 'rows for codes that do not exist').toEqual([])
  })

  it('carries the problem in trailers and in a google.rpc.Status', () => {
    const error = toServiceError(appError('validation_failed', "'payload.text' is required", { field: 'payload.text' }))
    expect(error.code).toBe(status.INVALID_ARGUMENT)
    expect(error.metadata.get('problem-field')).toEqual(['payload.text'])
    const details = decodeStatusDetails(error.metadata.get('grpc-status-details-bin')[0] as Buffer)
    expect(details).toMatchObject({ code: status.INVALID_ARGUMENT, message: "'payload.text' is required" })
    expect(details.details.map((d) => d.type)).toEqual(['type.googleapis.com/google.rpc.ErrorInfo', 'type.googleapis.com/google.rpc.BadRequest'])
    expect(details.details[1]!.value).toEqual({ field_violations: [{ field: 'payload.text', description: "'payload.text' is required" }] })
  })

  it('reports anything unexpected as INTERNAL without its message', () => {
    const error = toServiceError(new Error('connection string with a password'))
    expect([error.code, error.details]).toEqual([status.INTERNAL, 'Something went wrong on our side'])
  })
})
