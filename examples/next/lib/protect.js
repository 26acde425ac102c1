// Arcjet's rules, then the refiner: what both App Router route handlers share.
import arcjet, { detectBot, fixedWindow, shield, validateEmail } from '@arcjet/next'
import { NextResponse } from 'next/server'
import { Refiner } from 'request-refiner'
import { shopOptions } from '../../offline-arcjet.mjs'

// shield, detectBot and a 10-a-minute fixedWindow; validateEmail on sign-up (examples/offline-arcjet.mjs).
const { options, signupRule } = shopOptions({ shield, detectBot, fixedWindow, validateEmail })
const aj = arcjet(options)
const rules = { signup: aj.withRule(signupRule), checkout: aj }
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
