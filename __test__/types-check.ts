// Compiled with `tsc --noEmit --strict` by types.test.mjs: the public types accept what users write.
import { Memory, Refiner, refine, features, train, evaluate, type Basis, type RefinedDecision, type RefinerOptions } from '../index.js'

const options: RefinerOptions = { profile: 'checkout', mode: 'DRY_RUN', thresholds: { deny: 0.9 }, failMode: 'closed', liftUnreadable: false }
const refiner = new Refiner(options)
const decision = { conclusion: 'DENY' as const, results: [{ state: 'RUN' as const, conclusion: 'DENY' as const, reason: { type: 'BOT', denied: ['CURL'] } }] }
const refined: RefinedDecision = refiner.refine(decision, {
  request: { ip: '203.0.113.1', method: 'POST', path: '/checkout', headers: { 'user-agent': 'curl/8' }, email: 'a@b.co', body: { note: 'hi' } },
  context: { route: 'checkout', sessionAgeS: 3, cartValue: 9.5, loggedIn: false },
})
const denied: boolean = refined.isDenied()
const basis: Basis = refined.basis
const evidence: boolean | undefined = refined.reasons[0]?.evidence
// Every header shape a framework hands over.
for (const headers of [new Headers({ accept: '*/*' }), new Map([['accept', '*/*']]), ['Accept', '*/*'], [['accept', '*/*']] as const]) refiner.refine(null, { request: { headers } })
refiner.refine(null, { request: { body: Buffer.from('a=1') } })
async function tools(signal: AbortSignal): Promise<string> {
  const summary = await train('corpus.jsonl', { out: 'm.rfm', signal })
  const { table } = await evaluate('m.rfm', 'corpus.jsonl', { signal })
  return summary + table
}
const bot: number = refined.threats.bot
const firstReason: string | undefined = refined.reasons[0]?.text
async function handler(): Promise<boolean> {
  const aiDecision = await refine(decision)
  const batch = refiner.refineBatch([{ decision, context: { route: 'login', failedLogins: 3 } }])
  const later: Promise<RefinedDecision[]> = refiner.refineBatchAsync([{ decision, context: { route: 'login' } }])
  void later
  return aiDecision.isDenied() || batch[0].isChallenged() || (await refiner.refineAsync()).isErrored()
}
const memory = new Memory({ maxBytes: 8 << 20 })
const login = { at: new Date(), request: { ip: '203.0.113.1', email: 'a@b.co' }, context: { route: 'login' as const, accountId: 'u1', sessionId: 's1', fingerprint: 'd1' } }
const remembering = new Refiner({ memory, store: { redis: 'redis://127.0.0.1:6379', secret: 'sixteen chars or more', timeoutMs: 20 } })
remembering.observe('login_failed', login)
async function fleet(): Promise<number> {
  const { degraded } = await remembering.observeAsync('payment_declined', login)
  const d = await remembering.refineAsync(null, login)
  await remembering.close()
  return remembering.recall(login).ip.loginFailures + Number(degraded || d.degraded) + memory.bytes
}
// @ts-expect-error profiles are a closed set
new Refiner({ profile: 'shop' })
// @ts-expect-error outcomes are a closed set
remembering.observe('logged_in', login)
void [denied, basis, evidence, tools, bot, firstReason, handler, fleet, features().length, new Refiner({ memory: false })]
