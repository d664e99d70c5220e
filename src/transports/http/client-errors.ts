/**
 * @module Requests Node's HTTP parser refuses before Fastify sees them (headers over 16 KiB, a
 * request line that is not HTTP, a client too slow to send its headers): answered as problem+json
 * too, on the raw socket, since there is no request object to answer with.
 */
import type { Socket } from 'node:net'
import { STATUS_CODES } from 'node:http'
import { appError, errorCodes, problemTypeBase, type ErrorCode } from '../../core/errors.js'

function codeOf(error: NodeJS.ErrnoException): ErrorCode {
  if (error.code === 'HPE_HEADER_OVERFLOW') return 'headers_too_large'
  if (error.code === 'ERR_HTTP_REQUEST_TIMEOUT') return 'request_timeout'
  return 'bad_request'
}

export function clientErrorProblem(error: NodeJS.ErrnoException, socket: Socket): void {
  // A reset connection has nobody left to tell.
  if (error.code === 'ECONNRESET' || socket.destroyed) return
  const code = codeOf(error)
  const { status, title } = errorCodes[code]
  const detail = appError(code, code === 'headers_too_large' ? 'The request line and headers exceed 16 KiB' : 'The request is not valid HTTP').message
  const body = JSON.stringify({ type: `${problemTypeBase}${code}`, title, status, detail, code })
  if (socket.writable) {
    socket.write(
      `HTTP/1.1 ${status} ${STATUS_CODES[status] ?? ''}\r\nContent-Type: application/problem+json\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
    )
  }
  socket.destroy(error)
}
