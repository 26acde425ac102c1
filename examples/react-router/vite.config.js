import { reactRouter } from '@react-router/dev/vite'
import { defineConfig } from 'vite'

export default defineConfig({
  plugins: [reactRouter()],
  // The refiner is a native addon: Node loads it at run time from its platform package
  // (request-refiner-linux-x64-gnu…); the server build must leave the import as it is.
  ssr: { external: ['request-refiner'] },
  // The example imports the shop it shares with the other examples from the folder above.
  server: { fs: { allow: ['..'] } },
})
