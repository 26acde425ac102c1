// The React Router 7 example (framework mode, @arcjet/remix) through the end-to-end suite of
// ../example-suite.mjs, built as its users deploy it: its own dependencies installed from its
// lockfile (npm ci), `react-router build` (Vite), then the server build on a Node http server
// (@react-router/node). The build must leave the addon's import alone (vite.config.js
// ssr.external), so the built server loads it from its package at run time.
// Run by `npm run test:frameworks`, not `npm test`: the install and the build take a minute.
import { installAndBuild, viteExample } from './vite.mjs'

viteExample('react-router', { build: () => installAndBuild('react-router', ['build/server/index.js']), server: 'server.mjs' })
