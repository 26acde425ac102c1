// The shop's POST routes with no framework in them, shared by the Hono, Bun, Deno, NestJS,
// SvelteKit and React Router examples: each framework reads the session, the form and the
// client's ip its own way, runs its rules, then calls guard() (the refiner) and act() (the
// route's own work). The refiner's `context` is built here from the server's records only
// (./shop.mjs), never from the form, which the client writes.
import { Memory, Refiner } from 'request-refiner'
import * as shop from './shop.mjs'

// One behavioral memory for all routes: a device seen failing payments is known at sign-up too.
const memory = new Memory()
export const refiners = Object.fromEntries(['signup', 'login', 'checkout'].map((p) => [p, new Refiner({ profile: p, memory })]))

/** The address a sign-up or login form names (the rules' email check and the refiner read it); none at checkout. */
export const emailOf = (route, form) => (route === 'checkout' ? undefined : String(form.email ?? ''))

/**
 * Before the rules, on checkout: an empty cart is refused (400), and the payment attempt is
 * counted, so the rules and the refiner see it ("including this one"). Returns a refusal or null.
 */
export function precheck(route, { session }) {
  if (route !== 'checkout') return null
  if (!shop.cartValue(session)) return { status: 400, body: { error: 'cart is empty' } }
  session.paymentAttempts = (session.paymentAttempts ?? 0) + 1
  return null
}

/**
 * The refiner on a POST to `route` (signup, login, checkout), after the rules' `decision`.
 * `visitor` = { id, session, visit } from the session store, `form` the posted fields,
 * `request` = { ip, method, path, headers } with the ip the server resolved and the headers as
 * the framework hands them. Logs one JSON line; returns `{ input, challenge }`, with
 * `refused` (a 403) when the refiner denies.
 */
export function guard(route, decision, { visitor, form, request }) {
  const email = emailOf(route, form)
  const input = {
    request: { ...request, email },
    context: shop.contextOf(route, { session: visitor.session, sessionId: visitor.id, visit: visitor.visit, formFillMs: shop.formFillMs(form.formToken, route, visitor.id), email }),
  }
  const refined = refiners[route].refine(decision, input)
  console.log(JSON.stringify({ route, rules: decision.conclusion, refined: refined.conclusion, score: refined.score, reasons: refined.reasons.slice(0, 2).map((r) => r.feature) }))
  // A real app shows a CAPTCHA when refined.isChallenged().
  const result = { input, challenge: refined.isChallenged() }
  return refined.isDenied() ? { ...result, refused: { status: 403, body: { error: 'Forbidden' } } } : result
}

/**
 * The route's own work once guard() let it through: `{ status, body }`. Outcomes the refiner
 * cannot see (password checks, the payment processor's answer) are reported with observe(). A
 * login calls `visitor.renew()` (a new session id against session fixation) when there is one.
 */
export async function act(route, { visitor, form }, { input, challenge }) {
  const ok = { status: 200, body: { ok: true, challenge } }
  const password = String(form.password ?? '')
  if (route === 'signup') return shop.signup(visitor.session, input.request.email, password) ? ok : { status: 400, body: { error: 'cannot sign up with that email' } }
  if (route === 'login') {
    const user = shop.login(visitor.session, input.request.email, password)
    refiners.login.observe(user ? 'login_ok' : 'login_failed', input)
    if (!user) return { status: 401, body: { error: 'wrong email or password' } }
    await visitor.renew?.()
    return ok
  }
  // Checkout: declines in one session are what card testing looks like.
  const paid = shop.pay(visitor.session, form.card)
  refiners.checkout.observe(paid ? 'payment_ok' : 'payment_declined', input)
  return paid ? ok : { status: 402, body: { error: 'card declined' } }
}

/** POST /cart: an item at the catalog's price, then back to the shop (303), or 404. */
export const addToCart = ({ session }, form) => (shop.addToCart(session, form.sku) ? { status: 303, location: '/' } : { status: 404, body: { error: 'no such item' } })

/**
 * precheck(), `rules(email)` (the rules' decision, sync or async), guard() and act() in a row,
 * for frameworks with no guard stage of their own: `{ status, body }`.
 */
export async function post(route, rules, { visitor, form, request }) {
  const refused = precheck(route, visitor)
  if (refused) return refused
  const decision = await rules(emailOf(route, form))
  const guarded = guard(route, decision, { visitor, form, request })
  return guarded.refused ?? act(route, { visitor, form }, guarded)
}
