// What the examples on WHATWG Request, Headers and Response (Hono, Bun.serve, Deno.serve,
// SvelteKit, React Router) share, with no framework in it: the session (a cookie holding only a
// signed id; what the server counts stays on the server), the client's ip, the posted form, and
// the copy of a request handed to Arcjet SDKs that take no `ipSrc`.
import { createHmac, randomUUID, timingSafeEqual } from 'node:crypto'
import proxyaddr from 'proxy-addr'
import { addToCart, post } from './routes.mjs'
import { SECRET, countRequest, formToken, pages, trustedProxies } from './shop.mjs'

export const SESSION_COOKIE = 'shop.sid'
/** Attributes of the session cookie, as SvelteKit's and Hono's cookie helpers take them. */
export const cookieAttributes = { path: '/', httpOnly: true, sameSite: 'lax' }

const records = new Map() // session id → what the server counted; a real app uses Redis or its database
// Every cookieless request opens a session: past this many, the oldest is dropped, so a flood of
// them cannot grow the map without bound.
const MAX_SESSIONS = 100_000
const sign = (id) => createHmac('sha256', SECRET).update(`session.${id}`).digest('base64url')
const sealed = (id) => `${id}.${sign(id)}`

/** The id in a session cookie's value, when the server signed it and still holds its record; else null. */
function idOf(value) {
  const [id = '', mac = ''] = String(value ?? '').split('.')
  const expected = sign(id)
  const genuine = mac.length === expected.length && timingSafeEqual(Buffer.from(mac), Buffer.from(expected))
  return genuine && records.has(id) ? id : null
}

/**
 * The session a cookie value names, or a new one, with this request counted (./shop.mjs
 * countRequest): `{ id, session, visit, cookie, renew }`. `cookie` is the value to set on the
 * response, or null when the client's is still good; `renew()` gives the session a new id (on
 * login, against session fixation), keeping its records, and sets `cookie`.
 */
export function openSession(cookieValue, method, path) {
  const known = idOf(cookieValue)
  const id = known ?? randomUUID()
  if (!known) {
    records.set(id, {})
    if (records.size > MAX_SESSIONS) records.delete(records.keys().next().value)
  }
  const visitor = { id, session: records.get(id), cookie: known ? null : sealed(id) }
  visitor.visit = countRequest(visitor.session, method, path)
  visitor.renew = () => {
    records.delete(visitor.id)
    visitor.id = randomUUID()
    records.set(visitor.id, visitor.session)
    visitor.cookie = sealed(visitor.id)
  }
  return visitor
}

/** One cookie's value from a Cookie header (a WHATWG Headers), or undefined. */
export function cookieFrom(headers, name = SESSION_COOKIE) {
  for (const part of (headers.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=')
    // Left encoded: the session's values are URL-safe, and a malformed escape must not throw.
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim()
  }
  return undefined
}

/** A Set-Cookie header for a session cookie value. */
export const setCookie = (value) => `${SESSION_COOKIE}=${value}; Path=/; HttpOnly; SameSite=Lax`

const trust = proxyaddr.compile(trustedProxies() || [])

/**
 * The client's ip: the socket's peer (`peer`), or, when TRUST_PROXY names the reverse proxies in
 * front, the first address in X-Forwarded-For that they did not add. Any other ip header
 * (X-Real-IP, Forwarded, CF-Connecting-IP…) is the client's own word and is not read.
 */
export const clientIp = (peer, headers) => proxyaddr({ socket: { remoteAddress: peer }, headers: { 'x-forwarded-for': headers.get('x-forwarded-for') ?? undefined } }, trust)

/** The posted fields, from a form or a JSON object (an unreadable body, or JSON that is no object, gives none). */
export async function readForm(request) {
  if (!request.headers.get('content-type')?.includes('json')) return Object.fromEntries(await request.formData().catch(() => []))
  const body = await request.json().catch(() => null)
  return body !== null && typeof body === 'object' ? body : {}
}

// Every header from which an Arcjet SDK may take the client's ip (@arcjet/ip findIp, and
// X-Arcjet-Ip in development).
const IP_HEADERS = [
  'cf-connecting-ip', 'cf-connecting-ipv6', 'do-connecting-ip', 'fastly-client-ip', 'fly-client-ip', 'forwarded', 'forwarded-for', 'true-client-ip',
  'x-appengine-user-ip', 'x-arcjet-ip', 'x-client-ip', 'x-cluster-client-ip', 'x-fah-client-ip', 'x-forwarded', 'x-forwarded-for', 'x-real-ip', 'x-vercel-forwarded-for',
]

/**
 * A bodiless copy of `request` for an Arcjet SDK with no `ipSrc` option (@arcjet/bun 1.4,
 * @arcjet/deno 1.3, @arcjet/sveltekit 1.3): those take the socket's peer when it is a public
 * address and otherwise the first public address in X-Forwarded-For and a dozen other headers
 * (in development also X-Arcjet-Ip), all written by the client unless a proxy overwrites them.
 * The copy carries only `ip`, the one the server resolved, in X-Forwarded-For (and X-Arcjet-Ip,
 * read in development only), so the rules and the refiner see the same client.
 */
export function forArcjet(request, ip) {
  const headers = new Headers(request.headers)
  for (const name of IP_HEADERS) headers.delete(name)
  headers.set('x-forwarded-for', ip)
  headers.set('x-arcjet-ip', ip)
  return new Request(request.url, { method: request.method, headers })
}

/** A Response from a route's `{ status, body, location }` (./routes.mjs), with the session cookie when it changed. */
export function respond({ status, body, location }, visitor) {
  const headers = new Headers(location ? { location } : { 'content-type': 'application/json' })
  if (visitor?.cookie) headers.append('set-cookie', setCookie(visitor.cookie))
  return new Response(location ? null : JSON.stringify(body), { status, headers })
}

/** An HTML page, with the session cookie when it changed. */
export function htmlPage(text, visitor) {
  const headers = new Headers({ 'content-type': 'text/html; charset=utf-8' })
  if (visitor?.cookie) headers.append('set-cookie', setCookie(visitor.cookie))
  return new Response(text, { headers })
}

/** The shop's page at `path` for this visitor (forms carry the token formFillMs() reads back), or null. */
export function page(path, { id, session }) {
  if (path === '/') return pages.home(session)
  if (path === '/signup' || path === '/login') return pages[path.slice(1)](formToken(path.slice(1), id))
  if (path === '/checkout') return pages.checkout(session, formToken('checkout', id))
  return null
}

/** A GET of one of the shop's pages: the session, then the page (404 for any other path). */
export function getPage(request) {
  const path = new URL(request.url).pathname
  const visitor = openSession(cookieFrom(request.headers), request.method, path)
  const text = page(path, visitor)
  return text === null ? new Response('Not found', { status: 404 }) : htmlPage(text, visitor)
}

/**
 * A POST to `route` (signup, login, cart, checkout): the session, the form, then ./routes.mjs
 * with `rules(email)` for the rules' decision. `ip` is the one the server resolved (clientIp());
 * the refiner gets the request's Headers as they are. Returns the route's `{ status, body,
 * location }` and the visitor (whose `cookie`, when set, goes on the response).
 */
export async function submit(route, request, ip, rules) {
  const path = new URL(request.url).pathname
  const visitor = openSession(cookieFrom(request.headers), request.method, path)
  const form = await readForm(request)
  const result = route === 'cart' ? addToCart(visitor, form) : await post(route, rules, { visitor, form, request: { ip, method: request.method, path, headers: request.headers } })
  return { result, visitor }
}

/** submit() answered with a Response. */
export async function postForm(route, request, ip, rules) {
  const { result, visitor } = await submit(route, request, ip, rules)
  return respond(result, visitor)
}

/**
 * For the Arcjet SDKs with no `ipSrc` (@arcjet/bun, @arcjet/deno, @arcjet/sveltekit): the
 * shop's rules (../offline-arcjet.mjs shopOptions(), given to the SDK's arcjet()) as
 * `rulesFor(route, request, ip)`, which gives postForm() its `rules(email)`. Arcjet sees a copy
 * of the request that names only `ip`, the ip the server resolved: `view(request, ip)`,
 * forArcjet() by default (an SDK that takes another object, like SvelteKit's event, passes its own).
 */
export function arcjetRules(aj, signupRule, view = forArcjet) {
  const rules = { signup: aj.withRule(signupRule), login: aj, checkout: aj }
  return (route, request, ip) => (email) => rules[route].protect(view(request, ip), route === 'signup' ? { email } : {})
}
