// The Nest guard: Arcjet's rules (@arcjet/nest, injected as ARCJET), then the refiner, under the
// profile of the route (signup, login, checkout). The refiner's `context` comes from
// the session (express-session, on the server), the users table and the payment processor
// (../../routes.mjs, ../../shop.mjs), never from the request body.
import { CanActivate, ExecutionContext, HttpException, Inject, Injectable } from '@nestjs/common'
import { ARCJET, type ArcjetNest } from '@arcjet/nest'
import { emailOf, guard, precheck } from '../../routes.mjs'
import { signupRule } from './arcjet.js'

/** The route a guarded POST is for, which is also the refiner's profile: /signup → 'signup'. */
export const routeOf = (req) => req.path.slice(1)

/** The visitor ../../routes.mjs reads: the session's id and record, and what countRequest() counted. */
export const visitorOf = (req) => ({
  id: req.sessionID,
  session: req.session,
  visit: req.visit,
  // A new session id on login (against session fixation), keeping what the old one counted.
  renew: () => {
    const kept = { ...req.session }
    return new Promise<void>((done) => req.session.regenerate(() => done(void Object.assign(req.session, kept, { cookie: req.session.cookie }))))
  },
})

@Injectable()
export class RefinerGuard implements CanActivate {
  constructor(@Inject(ARCJET) private readonly aj: ArcjetNest) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const req = context.switchToHttp().getRequest()
    const route = routeOf(req)
    const form = req.body ?? {}
    const visitor = visitorOf(req)
    const refused = precheck(route, visitor)
    if (refused) throw new HttpException(refused.body, refused.status)
    // req.ip is the socket's peer unless TRUST_PROXY names the proxy in front ('trust proxy' in
    // main.ts); Arcjet gets the same ip (ipSrc) instead of reading X-Forwarded-For on its own.
    const email = emailOf(route, form)
    const rules = route === 'signup' ? this.aj.withRule(signupRule) : this.aj
    const decision = await rules.protect(req, { ipSrc: req.ip, ...(route === 'signup' ? { email } : {}) })
    const guarded = guard(route, decision, { visitor, form, request: { ip: req.ip, method: req.method, path: req.originalUrl, headers: req.headers } })
    if (guarded.refused) throw new HttpException(guarded.refused.body, guarded.refused.status)
    req.guarded = guarded
    return true
  }
}
