// Express: Arcjet's rules, then the refiner, on a sign-up and a checkout route.
//
//   PORT=3000 node examples/express/server.mjs           (REFINER_MODE=DRY_RUN to only log)
//
// Each request is logged as one JSON line with the rules' conclusion and the refined one side by
// side. In DRY_RUN the app still answers as the rules say, so you can compare before switching.
import express from 'express'
import arcjet, { detectBot, fixedWindow, shield, validateEmail } from '@arcjet/node'
import { Memory, Refiner } from 'request-refiner'
import { shopOptions } from '../offline-arcjet.mjs'

const dryRun = process.env.REFINER_MODE === 'DRY_RUN'
// shield, detectBot and a 10-a-minute fixedWindow; validateEmail on sign-up (../offline-arcjet.mjs).
const { options, signupRule } = shopOptions({ shield, detectBot, fixedWindow, validateEmail })
const aj = arcjet(options)
const signupRules = aj.withRule(signupRule)
// One behavioral memory for both routes: a device seen failing payments is known at sign-up too.
const memory = new Memory()
const refiners = {
  signup: new Refiner({ profile: 'signup', mode: dryRun ? 'DRY_RUN' : 'LIVE', memory }),
  checkout: new Refiner({ profile: 'checkout', mode: dryRun ? 'DRY_RUN' : 'LIVE', memory }),
}

/** What the app knows about the visitor; a real app reads its session store. */
const contextOf = (req, route) => ({ route, ...req.body?.session })

async function guard(req, res, route, rules) {
  const decision = await rules.protect(req, route === 'signup' ? { email: req.body?.email ?? '' } : {})
  const input = {
    request: { ip: decision.ip?.ip ?? req.socket.remoteAddress, method: req.method, path: req.originalUrl, headers: req.headers, email: req.body?.email },
    context: contextOf(req, route),
  }
  const refined = refiners[route].refine(decision, input)
  console.log(JSON.stringify({ route, rules: decision.conclusion, refined: refined.liveConclusion, mode: refined.mode, reasons: refined.reasons.slice(0, 2).map((r) => r.feature) }))
  const blocked = dryRun ? decision.isDenied() : refined.isDenied()
  if (blocked) {
    res.status(403).json({ error: 'Forbidden', conclusion: dryRun ? decision.conclusion : refined.conclusion })
    return null
  }
  return { refined, input }
}

// Stripe's documented test card that is always declined; a real app asks its payment provider.
const declined = (card) => card === '4000000000000002'

export function createApp() {
  const app = express()
  app.use(express.json())
  app.post('/signup', async (req, res) => {
    const guarded = await guard(req, res, 'signup', signupRules)
    if (guarded) res.json({ ok: true, conclusion: guarded.refined.conclusion, challenge: guarded.refined.isChallenged() })
  })
  app.post('/checkout', async (req, res) => {
    const guarded = await guard(req, res, 'checkout', aj)
    if (!guarded) return
    // The outcome the refiner cannot see: declines from one device are what card testing looks like.
    const paid = !declined(req.body?.card)
    refiners.checkout.observe(paid ? 'payment_ok' : 'payment_declined', guarded.input)
    if (!paid) return res.status(402).json({ error: 'card declined' })
    res.json({ ok: true, conclusion: guarded.refined.conclusion, challenge: guarded.refined.isChallenged() })
  })
  return app
}

const server = createApp().listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
})
