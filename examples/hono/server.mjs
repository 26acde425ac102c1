// Hono on Node (@hono/node-server), with the app's own rules instead of Arcjet (../own-rules.mjs,
// as in the Fastify example), then the refiner. The session is a cookie holding a signed id, its
// counters on the server; the refiner's `context` comes from them, the users table and the
// payment processor (../web.mjs, ../routes.mjs, ../shop.mjs), never from the request.
//
//   PORT=3000 node examples/hono/server.mjs        TRUST_PROXY=10.0.0.0/8 behind a reverse proxy
import { serve } from '@hono/node-server'
import { getConnInfo } from '@hono/node-server/conninfo'
import { Hono } from 'hono'
import { getCookie, setCookie } from 'hono/cookie'
import { ownRules } from '../own-rules.mjs'
import { addToCart, post } from '../routes.mjs'
import { SESSION_COOKIE, clientIp, cookieAttributes, openSession, page, readForm } from '../web.mjs'

const app = new Hono()

// Every request is counted in its session before a handler reads the counts; the cookie is
// (re)set when the session is new or was renewed at login.
app.use(async (c, next) => {
  const visitor = openSession(getCookie(c, SESSION_COOKIE), c.req.method, c.req.path)
  c.set('visitor', visitor)
  await next()
  if (visitor.cookie) setCookie(c, SESSION_COOKIE, visitor.cookie, cookieAttributes)
})

for (const path of ['/', '/signup', '/login', '/checkout']) app.get(path, (c) => c.html(page(path, c.get('visitor'))))

app.post('/cart', async (c) => {
  const { status, body, location } = addToCart(c.get('visitor'), await readForm(c.req.raw))
  return location ? c.redirect(location, status) : c.json(body, status)
})

for (const route of ['signup', 'login', 'checkout']) {
  app.post(`/${route}`, async (c) => {
    // The socket's peer (getConnInfo), or a trusted proxy's word; c.req.raw.headers is the
    // request's WHATWG Headers, handed to the refiner as it is.
    const ip = clientIp(getConnInfo(c).remote.address, c.req.raw.headers)
    const request = { ip, method: c.req.method, path: c.req.path, headers: c.req.raw.headers }
    const rules = () => ownRules(ip, c.req.header('user-agent'))
    const { status, body } = await post(route, rules, { visitor: c.get('visitor'), form: await readForm(c.req.raw), request })
    return c.json(body, status)
  })
}

serve({ fetch: app.fetch, hostname: '127.0.0.1', port: Number(process.env.PORT ?? 3000) }, (info) => {
  console.log(`listening on http://127.0.0.1:${info.port}`)
})
