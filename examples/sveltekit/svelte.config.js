import adapter from '@sveltejs/adapter-node'

export default {
  kit: {
    adapter: adapter(),
    // SvelteKit refuses form posts whose Origin is not the site's: a defense for browsers against
    // cross-site requests, not against scripts, which send any Origin they like. The example turns
    // it off so that its tests' scripts reach the rules and the refiner as one that forges Origin
    // would; keep it on in an app.
    csrf: { trustedOrigins: ['*'] },
  },
}
