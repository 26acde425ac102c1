// What the routes share on the server: Arcjet's rules (@arcjet/remix) and the shop's session and
// forms (../../web.mjs, ../../routes.mjs, ../../shop.mjs), whose refiner `context` comes from the
// server's records, never from the request.
import arcjet, { detectBot, fixedWindow, shield, validateEmail } from '@arcjet/remix'
import { data, redirect } from 'react-router'
import { shopOptions } from '../../offline-arcjet.mjs'
import { arcjetRules, clientIp, cookieFrom, forArcjet, openSession, setCookie, submit } from '../../web.mjs'

// shield, detectBot and a 10-a-minute fixedWindow; validateEmail on sign-up (../../offline-arcjet.mjs).
const { options, signupRule } = shopOptions({ shield, detectBot, fixedWindow, validateEmail })
// @arcjet/remix reads `{ request, context }`: it gets a request that names only the server's ip,
// and that ip as the platform's (context.ip).
const rulesFor = arcjetRules(arcjet(options), signupRule, (request, ip) => ({ request: forArcjet(request, ip), context: { ip } }))

const cookieHeaders = (visitor) => (visitor.cookie ? { 'set-cookie': setCookie(visitor.cookie) } : {})

/** A loader's session, counted, and what to answer with: `{ visitor, answer(value) }`. */
export function visit(request) {
  const visitor = openSession(cookieFrom(request.headers), request.method, new URL(request.url).pathname)
  return { visitor, answer: (value) => data(value, { headers: cookieHeaders(visitor) }) }
}

/**
 * An action: the ip is the socket's peer (server.mjs puts it in context.peer), or a trusted
 * proxy's word; the request's Headers go to the refiner as they are. Answers with data() at the
 * route's status, or a redirect.
 */
export async function act({ request, context }) {
  const route = new URL(request.url).pathname.slice(1)
  const ip = clientIp(context.peer, request.headers)
  const { result, visitor } = await submit(route, request, ip, rulesFor(route, request, ip))
  const init = { status: result.status, headers: cookieHeaders(visitor) }
  return result.location ? redirect(result.location, init) : data(result.body, init)
}
