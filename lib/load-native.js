'use strict'
// Loads the platform binary through the napi-rs loader (native.js). When it is missing or does not
// match, throws one error that names the package to install, instead of the loader's chain.
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

/** The platform packages this version publishes, named from the napi targets in package.json. */
function publishedPackages() {
  const ARCH = { x86_64: 'x64', aarch64: 'arm64', i686: 'ia32', armv7: 'arm' }
  const OS = { linux: 'linux', apple: 'darwin', windows: 'win32' }
  return (require('../package.json').napi?.targets ?? []).map((triple) => {
    const [arch, , os, abi] = triple.split('-')
    return ['request-refiner', OS[os] ?? os, ARCH[arch] ?? arch, ...(abi && os !== 'apple' ? [abi] : [])].join('-')
  })
}

function loadNative() {
  try {
    return require('../native.js')
  } catch (cause) {
    // package.json is read only here, on the failure path, not at every start-up.
    const { version } = require('../package.json')
    const pkg = platformPackage()
    const published = publishedPackages()
    const hint = published.includes(pkg)
      ? `Install its prebuilt binary: npm install ${pkg}@${version}. It is an optional dependency of request-refiner, so it goes missing when optional dependencies are omitted (--omit=optional) or the lockfile was made on another platform.`
      : `No prebuilt binary is published for ${process.platform}-${process.arch}; there are: ${published.map((p) => p.replace('request-refiner-', '')).join(', ')}.`
    const error = new Error(`request-refiner could not load its native binary ${pkg} (${cause.message.split('\n')[0]}). ${hint}`, { cause })
    error.code = 'REQUEST_REFINER_BINARY'
    throw error
  }
}

module.exports = { loadNative }
