// Reads what the platform checks need from an ELF file, with no tool: the machine, the file type,
// the program interpreter (PT_INTERP), the libraries it needs (DT_NEEDED), and the symbol versions
// it requires from each (.gnu.version_r, SHT_GNU_verneed), e.g. { 'libc.so.6': ['GLIBC_2.2.5', …] },
// and the dynamic symbols it imports (undefined in .dynsym): { name, weak, version } with version
// null for an unversioned import.
// 64-bit little-endian only: every linux target the package ships is one.
const MACHINES = { 0x3e: 'x86_64', 0xb7: 'aarch64' }
const TYPES = { 1: 'relocatable', 2: 'executable', 3: 'shared object', 4: 'core' }
const PT_INTERP = 3
const PT_DYNAMIC = 2
const SHT_DYNSYM = 11
const SHT_GNU_VERNEED = 0x6ffffffe
const SHT_GNU_VERSYM = 0x6fffffff
const DT_NEEDED = 1
const DT_STRTAB = 5
const DT_SONAME = 14

export function readElf(buf) {
  if (buf.readUInt32BE(0) !== 0x7f454c46) throw new Error('not an ELF file')
  if (buf[4] !== 2 || buf[5] !== 1) throw new Error(`not a 64-bit little-endian ELF file (class ${buf[4]}, data ${buf[5]})`)
  const u16 = (o) => buf.readUInt16LE(o)
  const u32 = (o) => buf.readUInt32LE(o)
  const u64 = (o) => Number(buf.readBigUInt64LE(o))
  const cstr = (o) => buf.toString('latin1', o, buf.indexOf(0, o))
  const type = u16(16)
  const machineCode = u16(18)
  const [phoff, shoff] = [u64(32), u64(40)]
  const [phentsize, phnum, shentsize, shnum] = [u16(54), u16(56), u16(58), u16(60)]

  const segments = Array.from({ length: phnum }, (_, i) => {
    const o = phoff + i * phentsize
    return { type: u32(o), offset: u64(o + 8), vaddr: u64(o + 16), filesz: u64(o + 32) }
  })
  const sections = Array.from({ length: shnum }, (_, i) => {
    const o = shoff + i * shentsize
    return { type: u32(o + 4), offset: u64(o + 24), size: u64(o + 32), link: u32(o + 40), info: u32(o + 44) }
  })
  // Virtual address → file offset, through the loadable segments (DT_STRTAB is an address).
  const fileOffset = (addr) => {
    const s = segments.find((p) => p.type === 1 && addr >= p.vaddr && addr < p.vaddr + p.filesz)
    if (!s) throw new Error(`address 0x${addr.toString(16)} is in no loadable segment`)
    return addr - s.vaddr + s.offset
  }

  const interpSegment = segments.find((p) => p.type === PT_INTERP)
  const interp = interpSegment ? cstr(interpSegment.offset) : null

  const needed = []
  let soname = null
  const dynamic = segments.find((p) => p.type === PT_DYNAMIC)
  if (dynamic) {
    const entries = []
    for (let o = dynamic.offset; o < dynamic.offset + dynamic.filesz; o += 16) {
      const tag = u64(o)
      if (tag === 0) break
      entries.push([tag, u64(o + 8)])
    }
    const strtab = fileOffset(entries.find(([t]) => t === DT_STRTAB)[1])
    for (const [tag, val] of entries) {
      if (tag === DT_NEEDED) needed.push(cstr(strtab + val))
      if (tag === DT_SONAME) soname = cstr(strtab + val)
    }
  }

  // Elf64_Verneed { vn_version u16, vn_cnt u16, vn_file u32, vn_aux u32, vn_next u32 } and
  // Elf64_Vernaux { vna_hash u32, vna_flags u16, vna_other u16, vna_name u32, vna_next u32 };
  // names are in the string table of the section's sh_link.
  const versions = {}
  const versionIndex = new Map() // vna_other → version name, for .gnu.version
  for (const sec of sections.filter((s) => s.type === SHT_GNU_VERNEED)) {
    const strtab = sections[sec.link].offset
    let vn = sec.offset
    for (let i = 0; i < sec.info; i++) {
      const file = cstr(strtab + u32(vn + 4))
      const names = (versions[file] ??= [])
      let aux = vn + u32(vn + 8)
      for (let j = 0; j < u16(vn + 2); j++) {
        names.push(cstr(strtab + u32(aux + 8)))
        versionIndex.set(u16(aux + 6), cstr(strtab + u32(aux + 8)))
        aux += u32(aux + 12)
      }
      vn += u32(vn + 12)
    }
  }
  // Elf64_Sym { st_name u32, st_info u8, st_other u8, st_shndx u16, st_value u64, st_size u64 }.
  // .gnu.version holds one u16 per .dynsym entry: 0 and 1 unversioned, else a vna_other.
  const imports = []
  const versym = sections.find((s) => s.type === SHT_GNU_VERSYM)
  for (const sec of sections.filter((s) => s.type === SHT_DYNSYM)) {
    const strtab = sections[sec.link].offset
    for (let i = 1, o = sec.offset + 24; o < sec.offset + sec.size; i++, o += 24) {
      if (u16(o + 6) !== 0 || u32(o) === 0) continue
      const v = versym ? u16(versym.offset + 2 * i) & 0x7fff : 0
      imports.push({ name: cstr(strtab + u32(o)), weak: buf[o + 4] >> 4 === 2, version: v > 1 ? versionIndex.get(v) : null })
    }
  }
  return { machine: MACHINES[machineCode] ?? `0x${machineCode.toString(16)}`, type: TYPES[type] ?? String(type), interp, needed, soname, versions, imports }
}

/** The highest GLIBC_x.y version an ELF file needs from any library, as [x, y], or null for none. */
export function glibcFloor(versions) {
  const all = Object.values(versions)
    .flat()
    .map((v) => /^GLIBC_(\d+)\.(\d+)(?:\.(\d+))?$/.exec(v))
    .filter(Boolean)
    .map((m) => [Number(m[1]), Number(m[2]), Number(m[3] ?? 0)])
  if (!all.length) return null
  return all.sort((a, b) => a[0] - b[0] || a[1] - b[1] || a[2] - b[2]).at(-1)
}
