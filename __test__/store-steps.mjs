// The steps both store tests replay (one Redis in store.test.mjs, Redis Cluster in
// store-cluster.test.mjs): a minute and a half of logins with failures, crossing the sketch's
// 30-minute generations, after which a store must hold what local memory holds.
import assert from 'node:assert/strict'
import { Memory, Refiner } from '../index.mjs'
import { CHROME } from './fixtures.mjs'

export const SECRET = 'a test secret of some length'
export const T0 = Date.UTC(2026, 10, 25, 12)
export const login = (i, at = T0, ip = '198.51.100.23') => ({
  at,
  request: { ip, method: 'POST', path: '/login', email: `buyer${i}@example.org`, headers: { 'user-agent': CHROME, 'accept-language': 'de-DE' } },
  context: { route: 'login', sessionId: `session-${i % 3}` },
})

/**
 * Replays the 60 steps through each store-backed Refiner in `stored` and through local memory
 * (a 'login' profile with the same secret): every answer comes from the store, not degraded, with
 * the threats and reasons local memory gives.
 */
export async function agreeWithLocalMemory(stored) {
  const local = new Refiner({ profile: 'login', memory: new Memory({ secret: SECRET }) })
  const steps = []
  for (let i = 0; i < 60; i++) steps.push(login(i % 7, T0 + i * 1500 + (i > 40 ? 1800_000 : 0), i % 2 ? '198.51.100.23' : '198.51.100.99'))
  for (const [i, input] of steps.entries()) {
    if (i % 5 === 4) {
      for (const remote of stored) assert.equal((await remote.observeAsync('login_failed', input)).degraded, false)
      local.observe('login_failed', input)
    }
    const b = local.refine(null, input)
    for (const remote of stored) {
      const a = await remote.refineAsync(null, input)
      assert.equal(a.degraded, false)
      for (const t of ['bot', 'attack', 'abuse']) assert.ok(Math.abs(a.threats[t] - b.threats[t]) < 1e-4, `step ${i} ${t}: ${a.threats[t]} vs ${b.threats[t]}`)
      assert.deepEqual(a.reasons.map((x) => x.feature), b.reasons.map((x) => x.feature))
    }
  }
}
