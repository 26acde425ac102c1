'use strict'
// Loads the platform binary through the napi-rs loader (native.js). When it is missing or does not
// match, throws one error that names the package to install, instead of the loader's chain.
const { version } = require('../package.json')

/** The prebuilt package this platform needs, as the loader names it. */
function platformPackage() {
  const { platform, arch } = process
  if (platform === 'linux') {
    const glibc = process.report?.getReport?.().header?.glibcVersionRuntime
    return `request-refiner-linux-${arch}-${glibc ? 'gnu' : 'musl'}`
  }
  if (platform === 'win32') return `request-refiner-win32-${arch}-msvc`
  return `request-refiner-${platform}-${arch}`
}

function loadNative() {
  try {
    return require('../native.js')
  } catch (cause) {
    const pkg = platformPackage()
    const supported = require('../package.json').optionalDependencies ?? {}
    const hint = pkg in supported
      ? `Install its prebuilt binary: npm install ${pkg}@${version}. It is an optional dependency of request-refiner, so it goes missing when optional dependencies are omitted (--omit=optional) or the lockfile was made on another platform.`
      : `No prebuilt binary is published for ${process.platform}-${process.arch}; supported: ${Object.keys(supported).map((p) => p.replace('request-refiner-', '')).join(', ')}.`
    const error = new Error(`request-refiner could not load its native binary ${pkg} (${cause.message.split('\n')[0]}). ${hint}`, { cause })
    error.code = 'REQUEST_REFINER_BINARY'
    throw error
  }
}

module.exports = { loadNative, platformPackage }
