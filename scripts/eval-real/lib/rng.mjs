// A seeded generator (sfc32 seeded through splitmix32) and the draws the corpus needs. Every random
// choice of the evaluation goes through one of these, so the same seed gives the same file.

function splitmix32(a) {
  return () => {
    a = (a + 0x9e3779b9) | 0
    let t = a ^ (a >>> 16)
    t = Math.imul(t, 0x21f0aaad)
    t ^= t >>> 15
    t = Math.imul(t, 0x735a2d97)
    return ((t ^ (t >>> 15)) >>> 0)
  }
}

export class Rng {
  constructor(seed) {
    const s = splitmix32(seed >>> 0)
    this.a = s(); this.b = s(); this.c = s(); this.d = s()
    for (let i = 0; i < 12; i++) this.next()
  }

  next() {
    const t = (((this.a + this.b) | 0) + this.d) | 0
    this.d = (this.d + 1) | 0
    this.a = this.b ^ (this.b >>> 9)
    this.b = (this.c + (this.c << 3)) | 0
    this.c = (this.c << 21) | (this.c >>> 11)
    this.c = (this.c + t) | 0
    return (t >>> 0) / 4294967296
  }

  /** A child generator: draws made with it do not shift the parent's sequence beyond one draw. */
  fork() { return new Rng(Math.floor(this.next() * 4294967296)) }
  chance(p) { return this.next() < p }
  int(lo, hi) { return lo + Math.floor(this.next() * (hi - lo + 1)) }
  uniform(lo, hi) { return lo + this.next() * (hi - lo) }
  pick(list) { return list[Math.floor(this.next() * list.length)] }
  normal() {
    const u = Math.max(this.next(), 1e-12)
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next())
  }
  /** Log-normal with the given median and spread (sigma of the log). */
  lognormal(median, sigma) { return median * Math.exp(sigma * this.normal()) }
  /** `entries`: [[value, weight], …] or an object { value: weight }. */
  weighted(entries) {
    const list = Array.isArray(entries) ? entries : Object.entries(entries)
    let total = 0
    for (const [, w] of list) total += w
    let x = this.next() * total
    for (const [v, w] of list) { if ((x -= w) < 0) return v }
    return list[list.length - 1][0]
  }
  hex(n) { let s = ''; for (let i = 0; i < n; i++) s += '0123456789abcdef'[Math.floor(this.next() * 16)]; return s }
}

/** A weighted sampler over a long list, built once (binary search on the cumulative weights). */
export function sampler(items, weightOf) {
  const cum = []
  let total = 0
  for (const it of items) { total += weightOf(it); cum.push(total) }
  return (rng) => {
    const x = rng.next() * total
    let lo = 0, hi = cum.length - 1
    while (lo < hi) { const mid = (lo + hi) >> 1; if (cum[mid] > x) hi = mid; else lo = mid + 1 }
    return items[lo]
  }
}
