// Regenerates crates/refiner-core/data/ from the public lists shipped in npm packages
// (devDependencies; versions and licenses in docs/DATA.md). The Rust crate embeds these files so
// it builds with plain cargo and never reads node_modules at run time.
import { readFileSync, writeFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join } from 'node:path'

const require = createRequire(import.meta.url)
const out = join(dirname(new URL(import.meta.url).pathname), '..', 'crates', 'refiner-core', 'data')
// Some packages do not export package.json, so resolve through node_modules directly.
const pkgDir = (name) => join(dirname(new URL(import.meta.url).pathname), '..', 'node_modules', name)
const version = (name) => JSON.parse(readFileSync(join(pkgDir(name), 'package.json'), 'utf8')).version
const write = (file, header, lines) => {
  writeFileSync(join(out, file), `# ${header}\n${lines.join('\n')}\n`)
  console.log(`${file}: ${lines.length} entries`)
}
const domains = (list) => [...new Set(list.map((d) => d.trim().toLowerCase()).filter(Boolean))].sort()

const crawlers = JSON.parse(readFileSync(join(pkgDir('crawler-user-agents'), 'crawler-user-agents.json'), 'utf8'))
write('crawler-patterns.txt', `crawler-user-agents@${version('crawler-user-agents')} (MIT): one regex per line`,
  crawlers.map((c) => c.pattern))
write('disposable-domains.txt', `disposable-email-domains@${version('disposable-email-domains')} (MIT) index.json`,
  domains(require(join(pkgDir('disposable-email-domains'), 'index.json'))))
write('disposable-wildcards.txt', `disposable-email-domains@${version('disposable-email-domains')} (MIT) wildcard.json: every subdomain is disposable`,
  domains(require(join(pkgDir('disposable-email-domains'), 'wildcard.json'))))
write('free-providers.txt', `email-providers@${version('email-providers')} (ISC) all.json`,
  domains(require(join(pkgDir('email-providers'), 'all.json'))))
