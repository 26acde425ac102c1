// Bun.serve with @arcjet/bun: the shop's pages and forms as Bun routes, Arcjet's rules, then the
// refiner. The session is a cookie holding a signed id, its counters on the server; the refiner's
// `context` comes from them, the users table and the payment processor (../web.mjs,
// ../routes.mjs, ../shop.mjs), never from the request.
//
//   PORT=3000 bun examples/bun/server.mjs        TRUST_PROXY=10.0.0.0/8 behind a reverse proxy
//
// Bundled (`bun build --target=bun --external request-refiner`), the addon stays a package that
// Bun loads at run time from its platform package (request-refiner-linux-x64-gnu…).
import arcjet, { detectBot, fixedWindow, shield, validateEmail } from '@arcjet/bun'
import { shopOptions } from '../offline-arcjet.mjs'
import { arcjetRules, clientIp, getPage, postForm } from '../web.mjs'

// shield, detectBot and a 10-a-minute fixedWindow; validateEmail on sign-up (../offline-arcjet.mjs).
const { options, signupRule } = shopOptions({ shield, detectBot, fixedWindow, validateEmail })
const rulesFor = arcjetRules(arcjet(options), signupRule)

/** A form post: the ip is the socket's peer (server.requestIP), or a trusted proxy's word. */
const submit = (route) => (request, server) => {
  const ip = clientIp(server.requestIP(request)?.address, request.headers)
  return postForm(route, request, ip, rulesFor(route, request, ip))
}

const server = Bun.serve({
  hostname: '127.0.0.1',
  port: Number(process.env.PORT ?? 3000),
  routes: {
    '/': { GET: getPage },
    '/signup': { GET: getPage, POST: submit('signup') },
    '/login': { GET: getPage, POST: submit('login') },
    '/cart': { POST: submit('cart') },
    '/checkout': { GET: getPage, POST: submit('checkout') },
  },
  fetch: () => new Response('Not found', { status: 404 }),
})
console.log(`listening on http://127.0.0.1:${server.port}`)
