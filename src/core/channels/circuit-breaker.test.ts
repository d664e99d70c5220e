import { describe, expect, it } from 'vitest'
import { createCircuitBreaker } from './circuit-breaker.js'

function breakerAt(time = { now: 1_000 }) {
  return { time, breaker: createCircuitBreaker({ failureThreshold: 3, coolDownMs: 10_000, now: () => time.now }) }
}

describe('circuit breaker', () => {
  it('opens after the threshold of consecutive failures, not before', () => {
    const { breaker } = breakerAt()
    breaker.failed()
    breaker.failed()
    expect(breaker.snapshot().state).toBe('closed')
    breaker.failed()
    expect(breaker.snapshot()).toMatchObject({ state: 'open', consecutiveFailures: 3, probeAt: 11_000 })
    expect(breaker.admit()).toEqual({ admitted: false, retryInMs: 10_000 })
  })

  it('forgets failures once a call succeeds', () => {
    const { breaker } = breakerAt()
    breaker.failed()
    breaker.failed()
    breaker.succeeded()
    breaker.failed()
    breaker.failed()
    expect(breaker.snapshot().state).toBe('closed')
  })

  it('lets one probe through after the cool-down and closes when it succeeds', () => {
    const { time, breaker } = breakerAt()
    for (let i = 0; i < 3; i++) breaker.failed()
    time.now += 10_000
    expect(breaker.admit()).toEqual({ admitted: true, probe: true })
    expect(breaker.snapshot().state).toBe('half_open')
    expect(breaker.admit().admitted).toBe(false)
    breaker.succeeded()
    expect(breaker.snapshot()).toMatchObject({ state: 'closed', consecutiveFailures: 0 })
    expect(breaker.admit()).toEqual({ admitted: true, probe: false })
  })

  it('opens again for a full cool-down when the probe fails', () => {
    const { time, breaker } = breakerAt()
    for (let i = 0; i < 3; i++) breaker.failed()
    time.now += 12_000
    expect(breaker.admit()).toMatchObject({ admitted: true, probe: true })
    breaker.failed()
    expect(breaker.snapshot()).toMatchObject({ state: 'open', probeAt: time.now + 10_000 })
    expect(breaker.admit()).toEqual({ admitted: false, retryInMs: 10_000 })
  })
})
