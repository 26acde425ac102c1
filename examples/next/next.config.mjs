/**
 * The refiner is a native addon: it must be loaded by Node at run time, not bundled. Installed
 * from npm, `serverExternalPackages` is enough; this example imports the package from the
 * repository it lives in, so it also declares it external for webpack (`next build --webpack`).
 */
export default {
  serverExternalPackages: ['request-refiner', '@arcjet/next'],
  webpack(config, { isServer }) {
    if (isServer) config.externals.push({ 'request-refiner': 'commonjs request-refiner' })
    return config
  },
}
