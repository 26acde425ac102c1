// Fastify, with the app's own rules instead of Arcjet: a user-agent blocklist and a per-ip fixed
// window, shaped like a rule decision so the refiner can weigh them. Then the refiner.
//
//   PORT=3000 node examples/fastify/server.mjs
import Fastify from 'fastify'
import { Refiner } from 'request-refiner'

const WINDOW_S = 60
const MAX = 10
const windows = new Map() // ip → { start, count }; a real app keeps this in Redis or its cache

/** The app's own rules, in the decision shape refine() reads (Arcjet's JSON shape). */
function ownRules(req) {
  const ua = req.headers['user-agent'] ?? ''
  const scripted = !ua || /curl|python-requests|wget|go-http-client|httpclient/i.test(ua)
  const now = Date.now() / 1000
  let w = windows.get(req.ip)
  if (!w || now - w.start >= WINDOW_S) windows.set(req.ip, (w = { start: now, count: 0 }))
  w.count++
  const results = [
    { state: 'RUN', conclusion: scripted ? 'DENY' : 'ALLOW', reason: { type: 'BOT', denied: scripted ? ['SCRIPT'] : [], allowed: [], verified: false, spoofed: false } },
    { state: 'RUN', conclusion: w.count > MAX ? 'DENY' : 'ALLOW', reason: { type: 'RATE_LIMIT', max: MAX, remaining: Math.max(0, MAX - w.count), window: WINDOW_S, reset: Math.ceil(w.start + WINDOW_S - now) } },
  ]
  const denied = results.find((r) => r.conclusion === 'DENY')
  return { conclusion: denied ? 'DENY' : 'ALLOW', reason: (denied ?? results[1]).reason, results, ip: {} }
}

const refiners = { signup: new Refiner({ profile: 'signup' }), checkout: new Refiner({ profile: 'checkout' }) }

export function createApp() {
  const app = Fastify()
  for (const route of ['signup', 'checkout']) {
    app.post(`/${route}`, async (req, reply) => {
      const decision = ownRules(req)
      const refined = refiners[route].refine(decision, {
        request: { ip: req.ip, method: req.method, path: req.url, headers: req.headers, email: req.body?.email },
        context: { route, ...req.body?.session },
      })
      req.log.info({ route, rules: decision.conclusion, refined: refined.conclusion }, 'refined')
      if (refined.isDenied()) return reply.code(403).send({ error: 'Forbidden', conclusion: refined.conclusion })
      return { ok: true, conclusion: refined.conclusion, challenge: refined.isChallenged() }
    })
  }
  return app
}

const app = createApp()
await app.listen({ port: Number(process.env.PORT ?? 3000), host: '127.0.0.1' })
console.log(`listening on http://127.0.0.1:${app.server.address().port}`)
