// Deno.serve with @arcjet/deno: the shop's pages and forms, Arcjet's rules, then the refiner. The
// session is a cookie holding a signed id, its counters on the server; the refiner's `context`
// comes from them, the users table and the payment processor (../web.mjs, ../routes.mjs,
// ../shop.mjs), never from the request.
//
//   PORT=3000 deno run --allow-net --allow-read --allow-env --allow-ffi --allow-sys examples/deno/server.mjs
//
// --allow-ffi is what lets Deno load the addon (a Node-API library); the packages come from
// node_modules (npm install), the addon from its platform package (request-refiner-linux-x64-gnu…).
import arcjet, { detectBot, fixedWindow, shield, validateEmail } from '@arcjet/deno'
import { shopOptions } from '../offline-arcjet.mjs'
import { arcjetRules, clientIp, getPage, postForm } from '../web.mjs'

// shield, detectBot and a 10-a-minute fixedWindow; validateEmail on sign-up (../offline-arcjet.mjs).
const { options, signupRule } = shopOptions({ shield, detectBot, fixedWindow, validateEmail })
const rulesFor = arcjetRules(arcjet(options), signupRule)
const FORMS = new Set(['/signup', '/login', '/cart', '/checkout'])

Deno.serve(
  {
    hostname: '127.0.0.1',
    port: Number(Deno.env.get('PORT') ?? 3000),
    onListen: ({ hostname, port }) => console.log(`listening on http://${hostname}:${port}`),
  },
  (request, info) => {
    const { pathname } = new URL(request.url)
    if (request.method === 'GET') return getPage(request)
    if (request.method !== 'POST' || !FORMS.has(pathname)) return new Response('Not found', { status: 404 })
    // The socket's peer (info.remoteAddr), or a trusted proxy's word.
    const ip = clientIp(info.remoteAddr.hostname, request.headers)
    const route = pathname.slice(1)
    return postForm(route, request, ip, rulesFor(route, request, ip))
  },
)
