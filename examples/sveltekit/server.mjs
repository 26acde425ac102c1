// The built app (vite build; adapter-node writes build/handler.js) on a Node http server on
// 127.0.0.1:$PORT (0: any free port), which it prints.
//
//   npm run build && PORT=3000 node server.mjs        TRUST_PROXY=10.0.0.0/8 behind a reverse proxy
import { createServer } from 'node:http'

// Without ARCJET_KEY the shop decides Arcjet's cloud rules locally (../offline-arcjet.mjs), in
// development mode; SvelteKit hands Arcjet the environment as it is when the server starts.
if (!process.env.ARCJET_KEY) process.env.ARCJET_ENV ??= 'development'
const { handler } = await import('./build/handler.js')

const server = createServer(handler)
server.listen(Number(process.env.PORT ?? 3000), '127.0.0.1', () => {
  console.log(`listening on http://127.0.0.1:${server.address().port}`)
})
