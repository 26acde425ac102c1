// SvelteKit's server hook: every request opens its session (a cookie holding a signed id, the
// counters on the server) and is counted; the shop's form posts (sign-up, login, cart, checkout)
// go through Arcjet's rules (@arcjet/sveltekit) and the refiner before any route sees them, with
// a `context` from the server's records (../../web.mjs, ../../routes.mjs, ../../shop.mjs), never
// from the request.
import arcjet, { detectBot, fixedWindow, shield, validateEmail } from '@arcjet/sveltekit'
import { shopOptions } from '../../offline-arcjet.mjs'
import { SESSION_COOKIE, arcjetRules, clientIp, cookieAttributes, forArcjet, openSession, postForm } from '../../web.mjs'

// shield, detectBot and a 10-a-minute fixedWindow; validateEmail on sign-up (../../offline-arcjet.mjs).
const { options, signupRule } = shopOptions({ shield, detectBot, fixedWindow, validateEmail })
// @arcjet/sveltekit reads the event: it gets a copy whose request names only the server's ip.
const rulesFor = arcjetRules(arcjet(options), signupRule, (event, ip) => ({ ...event, request: forArcjet(event.request, ip), getClientAddress: () => ip }))
const FORMS = new Set(['/signup', '/login', '/cart', '/checkout'])

export async function handle({ event, resolve }) {
  const { pathname } = event.url
  if (event.request.method === 'POST' && FORMS.has(pathname)) {
    // The socket's peer (adapter-node's getClientAddress, with no ADDRESS_HEADER set), or a
    // trusted proxy's word; event.request.headers goes to the refiner as it is.
    const ip = clientIp(event.getClientAddress(), event.request.headers)
    const route = pathname.slice(1)
    return postForm(route, event.request, ip, rulesFor(route, event, ip))
  }
  event.locals.visitor = openSession(event.cookies.get(SESSION_COOKIE), event.request.method, pathname)
  if (event.locals.visitor.cookie) event.cookies.set(SESSION_COOKIE, event.locals.visitor.cookie, cookieAttributes)
  return resolve(event)
}
