// Express: Arcjet's rules, then the refiner, on a sign-up and a checkout route.
//
//   PORT=3000 node examples/express/server.mjs           (REFINER_MODE=DRY_RUN to only log)
//
// Each request is logged as one JSON line with the rules' conclusion and the refined one side by
// side. In DRY_RUN the app still answers as the rules say, so you can compare before switching.
import express from 'express'
import arcjet, { detectBot, fixedWindow, shield, validateEmail } from '@arcjet/node'
import { Refiner } from 'request-refiner'
import { shopOptions } from '../offline-arcjet.mjs'

const dryRun = process.env.REFINER_MODE === 'DRY_RUN'
// shield, detectBot and a 10-a-minute fixedWindow; validateEmail on sign-up (../offline-arcjet.mjs).
const { options, signupRule } = shopOptions({ shield, detectBot, fixedWindow, validateEmail })
const aj = arcjet(options)
const signupRules = aj.withRule(signupRule)
const refiners = {
  signup: new Refiner({ profile: 'signup', mode: dryRun ? 'DRY_RUN' : 'LIVE' }),
  checkout: new Refiner({ profile: 'checkout', mode: dryRun ? 'DRY_RUN' : 'LIVE' }),
}

/** What the app knows about the visitor; a real app reads its session store. */
const contextOf = (req, route) => ({ route, ...req.body?.session })

async function guard(req, res, route, rules) {
  const decision = await rules.protect(req, route === 'signup' ? { email: req.body?.email ?? '' } : {})
  const refined = refiners[route].refine(decision, {
    request: { ip: decision.ip?.ip ?? req.socket.remoteAddress, method: req.method, path: req.originalUrl, headers: req.headers, email: req.body?.email },
    context: contextOf(req, route),
  })
  console.log(JSON.stringify({ route, rules: decision.conclusion, refined: refined.liveConclusion, mode: refined.mode, reasons: refined.reasons.slice(0, 2).map((r) => r.feature) }))
  const blocked = dryRun ? decision.isDenied() : refined.isDenied()
  if (blocked) {
    res.status(403).json({ error: 'Forbidden', conclusion: dryRun ? decision.conclusion : refined.conclusion })
    return null
  }
  return refined
}

export function createApp() {
  const app = express()
  app.use(express.json())
  app.post('/signup', async (req, res) => {
    const refined = await guard(req, res, 'signup', signupRules)
    if (refined) res.json({ ok: true, conclusion: refined.conclusion, challenge: refined.isChallenged() })
  })
  app.post('/checkout', async (req, res) => {
    const refined = await guard(req, res, 'checkout', aj)
    if (refined) res.json({ ok: true, conclusion: refined.conclusion, challenge: refined.isChallenged() })
  })
  return app
}

const server = createApp().listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
})
