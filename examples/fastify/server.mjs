// Fastify, with the app's own rules instead of Arcjet: a user-agent blocklist and a per-ip fixed
// window, shaped like a rule decision so the refiner can weigh them. Then the refiner, with a
// `context` counted by this server: @fastify/session, the users table and the payment processor
// of ../shop.mjs. Nothing in it is read from the request, which the client writes.
//
//   PORT=3000 node examples/fastify/server.mjs      TRUST_PROXY=10.0.0.0/8 behind a reverse proxy
import Fastify from 'fastify'
import fastifyCookie from '@fastify/cookie'
import fastifyFormbody from '@fastify/formbody'
import fastifySession from '@fastify/session'
import { Memory, Refiner } from 'request-refiner'
import { ownRules } from '../own-rules.mjs'
import * as shop from '../shop.mjs'

const memory = new Memory()
const refiners = Object.fromEntries(['signup', 'login', 'checkout'].map((p) => [p, new Refiner({ profile: p, memory })]))

// request.ip is the socket's peer unless TRUST_PROXY names the proxy in front (Fastify's trustProxy).
const app = Fastify({ logger: true, disableRequestLogging: true, trustProxy: shop.trustedProxies() })
await app.register(fastifyCookie)
await app.register(fastifyFormbody)
await app.register(fastifySession, { secret: shop.SECRET, cookieName: 'shop.sid', cookie: { secure: 'auto', httpOnly: true, sameSite: 'lax' } })
// Every request this server serves is counted in its session before a handler reads the counts.
app.addHook('preHandler', async (request) => {
  request.visit = shop.countRequest(request.session, request.method, request.routeOptions.url)
})

/** Registers POST /<route>: the rules, the refiner (403 when denied), then `handler(request, reply, input, ok)`, `ok` the 200 answer. */
function guarded(route, handler, routeOptions = {}) {
  app.post(`/${route}`, routeOptions, async (request, reply) => {
    const email = route === 'checkout' ? undefined : String(request.body?.email ?? '')
    const { session } = request
    const decision = ownRules(request.ip, request.headers['user-agent'])
    const input = {
      request: { ip: request.ip, method: request.method, path: request.url, headers: request.headers, email },
      context: shop.contextOf(route, {
        session,
        sessionId: session.sessionId,
        visit: request.visit,
        formFillMs: shop.formFillMs(request.body?.formToken, route, session.sessionId),
        email,
      }),
    }
    const refined = refiners[route].refine(decision, input)
    request.log.info({ route, rules: decision.conclusion, refined: refined.conclusion, score: refined.score, reasons: refined.reasons.slice(0, 2).map((r) => r.feature) }, 'refined')
    if (refined.isDenied()) return reply.code(403).send({ error: 'Forbidden' })
    // A real app shows a CAPTCHA when refined.isChallenged().
    return handler(request, reply, input, { ok: true, challenge: refined.isChallenged() })
  })
}

app.get('/', async (request, reply) => reply.type('text/html').send(shop.pages.home(request.session)))
for (const form of ['signup', 'login']) {
  app.get(`/${form}`, async (request, reply) => reply.type('text/html').send(shop.pages[form](shop.formToken(form, request.session.sessionId))))
}
app.get('/checkout', async (request, reply) => reply.type('text/html').send(shop.pages.checkout(request.session, shop.formToken('checkout', request.session.sessionId))))

guarded('signup', async (request, reply, input, ok) => {
  if (!shop.signup(request.session, input.request.email, String(request.body?.password ?? ''))) return reply.code(400).send({ error: 'cannot sign up with that email' })
  return ok
})

guarded('login', async (request, reply, input, ok) => {
  const user = shop.login(request.session, input.request.email, String(request.body?.password ?? ''))
  refiners.login.observe(user ? 'login_ok' : 'login_failed', input)
  if (!user) return reply.code(401).send({ error: 'wrong email or password' })
  // A new session id on login (against session fixation), keeping what the old one counted.
  await request.session.regenerate(Object.keys(request.session).filter((k) => k !== 'cookie'))
  return ok
})

app.post('/cart', async (request, reply) => {
  if (!shop.addToCart(request.session, request.body?.sku)) return reply.code(404).send({ error: 'no such item' })
  return reply.redirect('/', 303)
})

guarded(
  'checkout',
  async (request, reply, input, ok) => {
    // The outcome the refiner cannot see: declines in one session are what card testing looks like.
    const paid = shop.pay(request.session, request.body?.card)
    refiners.checkout.observe(paid ? 'payment_ok' : 'payment_declined', input)
    if (!paid) return reply.code(402).send({ error: 'card declined' })
    return ok
  },
  {
    // Payment attempts are counted before the rules and the refiner see this one ("including this one").
    async preHandler(request, reply) {
      if (!shop.cartValue(request.session)) return reply.code(400).send({ error: 'cart is empty' })
      request.session.paymentAttempts = (request.session.paymentAttempts ?? 0) + 1
    },
  },
)

await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' })
console.log(`listening on http://127.0.0.1:${app.server.address().port}`)
