// Arcjet's rules, then the refiner: what the App Router route handlers share. The refiner's
// `context` comes from the server's own records (./session.js, ../../shop.mjs), never from the body.
import arcjet, { detectBot, fixedWindow, shield, validateEmail } from '@arcjet/next'
import { NextResponse } from 'next/server'
import { Memory, Refiner } from 'request-refiner'
import { shopOptions } from '../../offline-arcjet.mjs'
import { contextOf, formFillMs } from '../../shop.mjs'

// shield, detectBot and a 10-a-minute fixedWindow; validateEmail on sign-up (examples/offline-arcjet.mjs).
const { options, signupRule } = shopOptions({ shield, detectBot, fixedWindow, validateEmail })
const aj = arcjet(options)
const rules = { signup: aj.withRule(signupRule), login: aj, checkout: aj }
// One behavioral memory for all routes: a device seen failing payments is known at sign-up too.
const memory = new Memory()
export const refiners = Object.fromEntries(['signup', 'login', 'checkout'].map((p) => [p, new Refiner({ profile: p, memory })]))

/** The posted fields, from a form or JSON. */
export async function readForm(req) {
  if (req.headers.get('content-type')?.includes('json')) return req.json().catch(() => ({}))
  return Object.fromEntries(await req.formData().catch(() => []))
}

/**
 * Runs the rules and the refiner on a POST for `route`, with the visitor from ./session.js.
 * Returns `{ form, input, challenge }`, with `denied` (a 403 response) when the refiner denies.
 */
export async function protect(req, route, { id, session, visit }) {
  const form = await readForm(req)
  const email = route === 'checkout' ? undefined : String(form.email ?? '')
  // Written by server.mjs from the socket (or trusted proxies); never the client's own header.
  const ip = req.headers.get('x-forwarded-for')
  const decision = await rules[route].protect(req, { ipSrc: ip, ...(route === 'signup' ? { email } : {}) })
  const input = {
    request: { ip, method: req.method, path: new URL(req.url).pathname, headers: req.headers, email },
    context: contextOf(route, { session, sessionId: id, visit, formFillMs: formFillMs(form.formToken, route, id), email }),
  }
  const refined = refiners[route].refine(decision, input)
  console.log(JSON.stringify({ route, rules: decision.conclusion, refined: refined.conclusion, score: refined.score, reasons: refined.reasons.slice(0, 2).map((r) => r.feature) }))
  // A real app shows a CAPTCHA when refined.isChallenged().
  const result = { form, input, challenge: refined.isChallenged() }
  return refined.isDenied() ? { ...result, denied: NextResponse.json({ error: 'Forbidden' }, { status: 403 }) } : result
}
