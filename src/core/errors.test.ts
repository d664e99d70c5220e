import { readFileSync } from 'node:fs'
import { describe, expect, it } from 'vitest'
import { appError, errorCodes, errors, isAppError } from './errors.js'

const docs = readFileSync(new URL('../../docs/errors.md', import.meta.url), 'utf8')

describe('error catalog', () => {
  it('documents every code with its status in docs/errors.md', () => {
    for (const [code, { status }] of Object.entries(errorCodes)) {
      expect(docs, `docs/errors.md lists ${code}`).toContain(`| \`${code}\` | ${status} |`)
    }
  })

  it('builds AppErrors whose status comes from the catalog', () => {
    const error = errors.conversationNotFound('abc')
    expect(isAppError(error)).toBe(true)
    expect(error).toMatchObject({ code: 'conversation_not_found', status: 404, field: 'conversation_id' })
    expect(appError('payload_too_large', 'x').status).toBe(413)
    expect(errors.validation('members[1]', 'bad').field).toBe('members[1]')
  })
})
