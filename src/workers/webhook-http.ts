/**
 * @module One webhook POST: bounded in time, never following redirects, and connecting only to
 * addresses the SSRF guard allows — checked on the connection's own DNS answer, so a host name
 * that resolves elsewhere after registration (DNS rebinding) is refused too.
 */
import http from 'node:http'
import https from 'node:https'
import { isIP } from 'node:net'
import type { UrlGuard } from '../core/webhooks/url-guard.js'

export interface PostResult {
  /** The endpoint's status; null when no answer came. */
  readonly statusCode: number | null
  /** Why it failed, for the delivery log; null for a 2xx. */
  readonly error: string | null
}

export interface WebhookPoster {
  /** Never rejects: every failure is a result. `stop` aborts the request (the sender is stopping). */
  post(url: string, headers: Readonly<Record<string, string>>, body: string, stop: AbortSignal): Promise<PostResult>
  close(): void
}

export interface WebhookPosterOptions {
  readonly guard: UrlGuard
  /** The whole request, connection to last byte read. */
  readonly timeoutMs: number
}

/** How much of an error response is kept for the delivery log. */
const ERROR_BODY_BYTES = 512
const MAX_ERROR_LENGTH = 600

const clip = (text: string) => (text.length > MAX_ERROR_LENGTH ? `${text.slice(0, MAX_ERROR_LENGTH)}…` : text)

export function createWebhookPoster({ guard, timeoutMs }: WebhookPosterOptions): WebhookPoster {
  // Keep-alive: a busy endpoint gets one connection reused, not a handshake per event.
  const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) }

  const post = (url: string, headers: Readonly<Record<string, string>>, body: string, stop: AbortSignal) =>
    new Promise<PostResult>((resolve) => {
      let settled = false
      const settle = (result: PostResult) => {
        if (settled) return
        settled = true
        resolve(result)
      }
      const target = new URL(url)
      const host = target.hostname.replace(/^\[(.*)\]$/, '$1')
      // An IP literal needs no lookup, so the guard's lookup would never see it.
      const refusal = isIP(host) ? guard.refusal(host) : undefined
      if (refusal) return settle({ statusCode: null, error: `${host} is ${refusal}; webhooks may not call it` })
      // One controller per request, linked to the timeout and to `stop` by hand and unlinked when the
      // request closes: AbortSignal.any() over the long-lived `stop` signal leaks on Node 20/22
      // (nodejs/node#54614), one composite signal per delivery.
      const controller = new AbortController()
      let timedOut = false
      const timer = setTimeout(() => {
        timedOut = true
        controller.abort()
      }, timeoutMs)
      const onStop = () => controller.abort()
      stop.addEventListener('abort', onStop, { once: true })
      const unlink = () => {
        clearTimeout(timer)
        stop.removeEventListener('abort', onStop)
      }
      const failure = (error: unknown): PostResult => {
        if (stop.aborted) return { statusCode: null, error: 'stopped before an answer: the platform is shutting down' }
        if (timedOut) return { statusCode: null, error: `timed out after ${timeoutMs} ms` }
        const { code, message } = error as { code?: string; message?: string }
        return { statusCode: null, error: clip([code, message].filter(Boolean).join(': ') || String(error)) }
      }
      const secure = target.protocol === 'https:'
      const request = (secure ? https : http).request(
        target,
        {
          method: 'POST',
          headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
          agent: secure ? agents.https : agents.http,
          lookup: guard.lookup,
          signal: controller.signal,
        },
        (response) => {
          const status = response.statusCode ?? 0
          response.on('error', (error) => settle(failure(error)))
          if (status >= 200 && status < 300) {
            settle({ statusCode: status, error: null })
            response.resume() // drain, so the connection can be reused
            return
          }
          let text = ''
          const done = () => {
            const detail = text.trim().replace(/\s+/g, ' ')
            settle({ statusCode: status, error: clip(`HTTP ${status}${detail ? `: ${detail}` : ''}`) })
          }
          response.setEncoding('utf8')
          response.on('data', (chunk: string) => {
            text += chunk
            if (text.length >= ERROR_BODY_BYTES) {
              text = text.slice(0, ERROR_BODY_BYTES)
              done()
              response.destroy()
            }
          })
          response.on('end', done)
        },
      )
      request.on('error', (error) => settle(failure(error)))
      // The timeout stays armed after a 2xx settles, until the response is drained or destroyed.
      request.on('close', unlink)
      request.end(body)
    })

  return {
    post,
    close() {
      agents.http.destroy()
      agents.https.destroy()
    },
  }
}
