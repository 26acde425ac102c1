// Express: a small shop (sign-up, login, cart, checkout) behind Arcjet's rules, then the refiner.
//
//   PORT=3000 node examples/express/server.mjs      REFINER_MODE=DRY_RUN to only log;
//                                                   TRUST_PROXY=10.0.0.0/8 behind a reverse proxy
//
// Each refined request is logged as one JSON line with the rules' conclusion and the refined one
// side by side. In DRY_RUN the app still answers as the rules say, so you can compare first.
// The refiner's `context` is counted by this server in its session (express-session), its users
// table and its payment processor (../shop.mjs): never read from the request, which the client writes.
import express from 'express'
import session from 'express-session'
import arcjet, { detectBot, fixedWindow, shield, validateEmail } from '@arcjet/node'
import { Memory, Refiner } from 'request-refiner'
import { shopOptions } from '../offline-arcjet.mjs'
import * as shop from '../shop.mjs'

const dryRun = process.env.REFINER_MODE === 'DRY_RUN'
// shield, detectBot and a 10-a-minute fixedWindow; validateEmail on sign-up (../offline-arcjet.mjs).
const { options, signupRule } = shopOptions({ shield, detectBot, fixedWindow, validateEmail })
const aj = arcjet(options)
const rules = { signup: aj.withRule(signupRule), login: aj, checkout: aj }
// One behavioral memory for all routes: a device seen failing payments is known at sign-up too.
const memory = new Memory()
const mode = dryRun ? 'DRY_RUN' : 'LIVE'
const refiners = Object.fromEntries(['signup', 'login', 'checkout'].map((p) => [p, new Refiner({ profile: p, mode, memory })]))

/** Arcjet's rules, then the refiner; answers 403 and returns null when denied, else the refiner's input. */
async function guard(req, res, route) {
  const email = route === 'checkout' ? undefined : String(req.body?.email ?? '')
  // req.ip is the socket's peer unless TRUST_PROXY names the proxy in front; Arcjet gets the same
  // ip (ipSrc) instead of reading X-Forwarded-For on its own.
  const decision = await rules[route].protect(req, { ipSrc: req.ip, ...(route === 'signup' ? { email } : {}) })
  const formFillMs = shop.formFillMs(req.body?.formToken, route, req.sessionID)
  const input = {
    request: { ip: req.ip, method: req.method, path: req.originalUrl, headers: req.headers, email },
    context: shop.contextOf(route, { session: req.session, sessionId: req.sessionID, visit: req.visit, formFillMs, email }),
  }
  const refined = refiners[route].refine(decision, input)
  console.log(JSON.stringify({ route, rules: decision.conclusion, refined: refined.liveConclusion, mode: refined.mode, basis: refined.basis, score: refined.score, reasons: refined.reasons.slice(0, 2).map((r) => r.feature) }))
  if (dryRun ? decision.isDenied() : refined.isDenied()) {
    res.status(403).json({ error: 'Forbidden' })
    return null
  }
  // A real app shows a CAPTCHA when refined.isChallenged().
  return { input, challenge: refined.isChallenged() }
}

const app = express()
app.set('trust proxy', shop.trustedProxies())
app.use(session({ secret: shop.SECRET, name: 'shop.sid', resave: false, saveUninitialized: true, cookie: { httpOnly: true, sameSite: 'lax' } }))
app.use(express.urlencoded({ extended: false }), express.json())
// Every request this server serves is counted in its session before a handler reads the counts.
app.use((req, res, next) => {
  req.visit = shop.countRequest(req.session, req.method, req.path)
  next()
})

app.get('/', (req, res) => res.send(shop.pages.home(req.session)))
for (const form of ['signup', 'login']) app.get(`/${form}`, (req, res) => res.send(shop.pages[form](shop.formToken(form, req.sessionID))))
app.get('/checkout', (req, res) => res.send(shop.pages.checkout(req.session, shop.formToken('checkout', req.sessionID))))

app.post('/signup', async (req, res) => {
  const guarded = await guard(req, res, 'signup')
  if (!guarded) return
  if (!shop.signup(req.session, guarded.input.request.email, String(req.body?.password ?? ''))) return res.status(400).json({ error: 'cannot sign up with that email' })
  res.json({ ok: true, challenge: guarded.challenge })
})

app.post('/login', async (req, res) => {
  const guarded = await guard(req, res, 'login')
  if (!guarded) return
  const user = shop.login(req.session, guarded.input.request.email, String(req.body?.password ?? ''))
  refiners.login.observe(user ? 'login_ok' : 'login_failed', guarded.input)
  if (!user) return res.status(401).json({ error: 'wrong email or password' })
  // A new session id on login (against session fixation), keeping what the old one counted.
  const kept = { ...req.session }
  req.session.regenerate(() => {
    Object.assign(req.session, kept, { cookie: req.session.cookie })
    res.json({ ok: true, challenge: guarded.challenge })
  })
})

app.post('/cart', (req, res) => {
  if (!shop.addToCart(req.session, req.body?.sku)) return res.status(404).json({ error: 'no such item' })
  res.redirect(303, '/')
})

app.post('/checkout', async (req, res) => {
  if (!shop.cartValue(req.session)) return res.status(400).json({ error: 'cart is empty' })
  req.session.paymentAttempts = (req.session.paymentAttempts ?? 0) + 1
  const guarded = await guard(req, res, 'checkout')
  if (!guarded) return
  // The outcome the refiner cannot see: declines in one session are what card testing looks like.
  const paid = shop.pay(req.session, req.body?.card)
  refiners.checkout.observe(paid ? 'payment_ok' : 'payment_declined', guarded.input)
  if (!paid) return res.status(402).json({ error: 'card declined' })
  res.json({ ok: true, challenge: guarded.challenge })
})

const server = app.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
})
