// The SvelteKit example through the end-to-end suite of ../example-suite.mjs, built as its users
// deploy it: its own dependencies installed from its lockfile (npm ci), `vite build` with
// adapter-node, then the built handler on a Node http server. The build must leave the addon's
// import alone (vite.config.js ssr.external; adapter-node keeps package.json dependencies
// external), so the built server loads it from its package at run time.
// Run by `npm run test:frameworks`, not `npm test`: the install and the build take a minute.
import { installAndBuild, viteExample } from './vite.mjs'

viteExample('sveltekit', { build: () => installAndBuild('sveltekit', ['build/handler.js']), server: 'server.mjs' })
