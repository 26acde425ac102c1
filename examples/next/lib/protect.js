// Arcjet's rules, then the refiner: what both App Router route handlers share.
import arcjet, { detectBot, fixedWindow, shield, validateEmail } from '@arcjet/next'
import { NextResponse } from 'next/server'
import { Refiner } from 'request-refiner'
import { offlineClient, quietLog } from '../../offline-arcjet.mjs'

// Without a key, decide Arcjet's cloud rules locally (see examples/offline-arcjet.mjs).
if (!process.env.ARCJET_KEY) process.env.ARCJET_ENV ??= 'development'
const aj = arcjet({
  key: process.env.ARCJET_KEY ?? 'ajkey_offline_example',
  rules: [shield({ mode: 'LIVE' }), detectBot({ mode: 'LIVE', allow: ['CATEGORY:SEARCH_ENGINE'] }), fixedWindow({ mode: 'LIVE', window: '1m', max: 10 })],
  ...(process.env.ARCJET_KEY ? {} : { client: offlineClient() }),
  log: quietLog,
})
const rules = {
  signup: aj.withRule(validateEmail({ mode: 'LIVE', deny: ['DISPOSABLE', 'INVALID', 'NO_MX_RECORDS'] })),
  checkout: aj,
}
const refiners = { signup: new Refiner({ profile: 'signup' }), checkout: new Refiner({ profile: 'checkout' }) }

/** Runs the rules and the refiner for `route`; a 403 response when denied, else the refined decision. */
export async function protect(req, route) {
  const body = await req.json().catch(() => ({}))
  const decision = await rules[route].protect(req, route === 'signup' ? { email: body.email ?? '' } : {})
  const refined = refiners[route].refine(decision, {
    request: { ip: decision.ip?.ip, method: req.method, path: new URL(req.url).pathname, headers: Object.fromEntries(req.headers), email: body.email },
    context: { route, ...body.session },
  })
  if (refined.isDenied()) return { response: NextResponse.json({ error: 'Forbidden', conclusion: refined.conclusion }, { status: 403 }) }
  return { refined }
}
