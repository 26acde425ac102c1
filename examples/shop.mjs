// The shop the three examples share, with no framework in it: a catalog, a users table, a fake
// payment processor, signed form tokens, and contextOf(), which builds the refiner's `context`
// from what the server itself counted. Nothing here reads the request body for a verdict input:
// the client controls the request, the server owns the session, the accounts and the payments.
import { createHmac, randomBytes, randomUUID, scryptSync, timingSafeEqual } from 'node:crypto'

/** Signs sessions and form tokens. Set SESSION_SECRET (≥ 32 characters) to keep sessions across restarts. */
export const SECRET = process.env.SESSION_SECRET ?? randomBytes(32).toString('hex')

/**
 * The addresses of your reverse proxies (TRUST_PROXY=10.0.0.0/8,loopback), in the form Express,
 * Fastify and proxy-addr take. Default: none, so X-Forwarded-For is ignored and the client's ip
 * is the socket's peer: whoever sends that header directly would otherwise pick their own ip.
 */
export const trustedProxies = () => process.env.TRUST_PROXY?.split(',').map((s) => s.trim()) ?? false

const DAY_MS = 86_400_000
const hash = (password, salt) => scryptSync(password, salt, 32)

/** The users table (an in-memory Map here; a real app has a database), keyed by lower-cased email. */
export const users = new Map()
const userByEmail = (email) => users.get(String(email ?? '').trim().toLowerCase())
function addUser(email, password, { createdAt = Date.now(), emailVerified = false } = {}) {
  const salt = randomBytes(16)
  const user = { id: randomUUID(), email, salt, passwordHash: hash(password, salt), createdAt, emailVerified, failedLogins: 0, lastFailedAt: 0 }
  users.set(email.trim().toLowerCase(), user)
  return user
}
/** Seeded customers: `<name>@example.com`, password `<name>-password`. */
export const CUSTOMERS = ['anna', 'ben', 'chloe', 'david', 'emma', 'farid', 'grace', 'hiro'].map((name, i) => {
  const email = `${name}@example.com`
  addUser(email, `${name}-password`, { createdAt: Date.now() - (90 + 120 * i) * DAY_MS, emailVerified: true })
  return { email, password: `${name}-password` }
})
const userById = (id) => [...users.values()].find((u) => u.id === id)

/** Sign-up: a new, unverified account logged in to this session; null when the email is taken or malformed. */
export function signup(session, email, password) {
  if (!/^[^@\s]+@[^@\s]+$/.test(email) || userByEmail(email) || password.length < 8) return null
  session.accountId = addUser(email, password).id
  return session.accountId
}

/**
 * Checks a password; failures are counted per account (reset by a success or after an hour) and
 * per session. Returns the user, or null.
 */
export function login(session, email, password) {
  const user = userByEmail(email)
  const ok = user && timingSafeEqual(hash(password, user.salt), user.passwordHash)
  if (!ok) {
    session.failedLogins = (session.failedLogins ?? 0) + 1
    if (user) Object.assign(user, { failedLogins: recentFailures(user) + 1, lastFailedAt: Date.now() })
    return null
  }
  user.failedLogins = 0
  session.accountId = user.id
  return user
}
const recentFailures = (user) => (Date.now() - user.lastFailedAt < 3_600_000 ? user.failedLogins : 0)

export const CATALOG = new Map([
  ['mug', { name: 'Mug', price: 12.5 }],
  ['tee', { name: 'T-shirt', price: 24 }],
  ['hoodie', { name: 'Hoodie', price: 52 }],
  ['sticker', { name: 'Sticker', price: 1.5 }],
])
/** Adds an item at the catalog's price (a price in the request is never read). */
export function addToCart(session, sku) {
  if (!CATALOG.has(sku)) return false
  session.cart = [...(session.cart ?? []), sku].slice(-20)
  return true
}
export const cartValue = (session) => (session.cart ?? []).reduce((sum, sku) => sum + CATALOG.get(sku).price, 0)

/**
 * A stand-in for the payment provider: Stripe's test card 4000 0000 0000 0002 is always declined.
 * Charges the session's cart; a success empties it.
 */
export function pay(session, card) {
  const ok = String(card ?? '').replace(/\D/g, '') !== '4000000000000002'
  if (ok) session.cart = []
  return ok
}

const sign = (text) => createHmac('sha256', SECRET).update(text).digest('base64url')

/** A token for a form rendered now for this session: `form.issuedAt.signature`. */
export const formToken = (form, sessionId) => {
  const payload = `${form}.${Date.now()}`
  return `${payload}.${sign(`${payload}.${sessionId}`)}`
}

/**
 * Milliseconds since the server rendered `form` for this session, from the token it signed; a
 * missing, forged, foreign (another form or session) or stale token gives undefined, never a
 * number the client chose, and is logged.
 */
export function formFillMs(token, form, sessionId) {
  const [name, issuedAt, mac = ''] = String(token ?? '').split('.')
  const expected = sign(`${name}.${issuedAt}.${sessionId}`)
  const elapsed = Date.now() - Number(issuedAt)
  let problem = null
  if (!token) problem = 'missing'
  else if (name !== form || mac.length !== expected.length || !timingSafeEqual(Buffer.from(mac), Buffer.from(expected))) problem = 'forged'
  else if (!(elapsed >= 0 && elapsed < 3_600_000)) problem = 'stale'
  if (problem) console.log(JSON.stringify({ formToken: problem, form }))
  return problem ? undefined : elapsed
}

const PAGES = new Set(['/', '/signup', '/login', '/checkout'])

/**
 * Counts a request the server serves in its session: the start time, the requests, the distinct
 * pages of the shop viewed. Call it once per request, before any handler; it returns the counts
 * as they were before this request, which is what the context describes.
 */
export function countRequest(session, method, path, now = Date.now()) {
  session.startedAt ??= now
  const before = { sessionAgeS: (now - session.startedAt) / 1000, sessionRequests: session.requests ?? 0, pagesSeen: session.pages?.length ?? 0 }
  session.requests = before.sessionRequests + 1
  if (method === 'GET' && PAGES.has(path) && !session.pages?.includes(path)) session.pages = [...(session.pages ?? []), path]
  return before
}

/**
 * The refiner's `context`, from the server's own records only: `visit` from countRequest(), the
 * session (account, cart, payment attempts, failed logins), the users table, and `formFillMs`
 * from formFillMs(). `email` is the address being logged in to, whose failures count too.
 */
export function contextOf(route, { session, sessionId, visit, formFillMs, email }) {
  const user = session.accountId ? userById(session.accountId) : undefined
  const target = route === 'login' ? userByEmail(email) : user
  return {
    route,
    ...visit,
    sessionId,
    accountId: user?.id,
    loggedIn: Boolean(user),
    accountAgeDays: user ? (Date.now() - user.createdAt) / DAY_MS : route === 'signup' ? 0 : undefined,
    emailVerified: user?.emailVerified,
    failedLogins: Math.max(session.failedLogins ?? 0, target ? recentFailures(target) : 0),
    formFillMs,
    ...(route === 'checkout' ? { cartValue: cartValue(session), paymentAttempts: session.paymentAttempts ?? 0 } : {}),
  }
}

const esc = (s) => String(s).replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
const page = (title, body) => `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>${esc(title)}</title></head><body><h1>${esc(title)}</h1>${body}</body></html>`
const form = (action, token, fields) =>
  `<form method="post" action="${action}"><input type="hidden" name="formToken" value="${esc(token)}">${fields}<button>Send</button></form>`
const credentials = '<input name="email" type="email" required><input name="password" type="password" required>'

/** The pages, as HTML strings; forms carry the token that formFillMs() reads back. */
export const pages = {
  home: (session) =>
    page('Shop', `<p>${session.accountId ? 'Signed in' : '<a href="/login">Log in</a> · <a href="/signup">Sign up</a>'} · <a href="/checkout">Cart (${cartValue(session)})</a></p><ul>${[...CATALOG]
      .map(([sku, item]) => `<li>${esc(item.name)} ${item.price} <form method="post" action="/cart"><input type="hidden" name="sku" value="${sku}"><button>Add</button></form></li>`)
      .join('')}</ul>`),
  signup: (token) => page('Sign up', form('/signup', token, credentials)),
  login: (token) => page('Log in', form('/login', token, credentials)),
  checkout: (session, token) => page('Checkout', `<p>Total: ${cartValue(session)}</p>${form('/checkout', token, '<input name="card" inputmode="numeric" autocomplete="cc-number" required>')}`),
}
