// Builds tar archives by hand for the tests of the strict reader and for poisoned cache entries:
// every field is the test's to set (a link target, a wrong checksum, a size that lies), which
// neither the system tar nor a library would write on purpose.
import { spawnSync } from 'node:child_process'
import { rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { gzipSync, zstdCompressSync } from 'node:zlib'
import { tempDir } from '../support/temp.js'

export interface TarMember {
  name: string
  /** '0' regular file (default), '1' hard link, '2' symlink, '3' character device, '5' directory, 'x' PAX header, 'L' GNU long name. */
  type?: string
  content?: Buffer | string
  linkname?: string
  mode?: number
  /** Written into the size field instead of the content's length. */
  sizeField?: number
  /** Added to the correct checksum: anything but 0 breaks it. */
  checksumOffset?: number
  /** 'posix' (ustar\0 00, the default) or 'gnu' (ustar  \0). */
  format?: 'posix' | 'gnu'
  prefix?: string
}

const BLOCK = 512

export function tarHeader(member: TarMember): Buffer {
  const header = Buffer.alloc(BLOCK)
  const content = Buffer.from(member.content ?? '')
  header.write(member.name, 0, 100, 'utf8')
  header.write(octal(member.mode ?? 0o600, 7), 100, 'latin1')
  header.write(octal(0, 7), 108, 'latin1')
  header.write(octal(0, 7), 116, 'latin1')
  header.write(octal(member.sizeField ?? content.length, 11), 124, 'latin1')
  header.write(octal(1_750_000_000, 11), 136, 'latin1')
  header.write(member.type ?? '0', 156, 'latin1')
  if (member.linkname) header.write(member.linkname, 157, 100, 'utf8')
  if (member.format === 'gnu') header.write('ustar  \0', 257, 'latin1')
  else header.write('ustar\x0000', 257, 'latin1')
  if (member.prefix) header.write(member.prefix, 345, 155, 'utf8')
  header.fill(0x20, 148, 156)
  let sum = 0
  for (const byte of header) sum += byte
  header.write(`${octal(sum + (member.checksumOffset ?? 0), 6)}\0 `, 148, 'latin1')
  return header
}

/** One member: its header and its content padded to the block size. */
export function tarMember(member: TarMember): Buffer {
  const content = Buffer.from(member.content ?? '')
  const padding = Buffer.alloc((BLOCK - (content.length % BLOCK)) % BLOCK)
  return Buffer.concat([tarHeader(member), content, padding])
}

/** A PAX extended header member with these records, as GNU tar writes them. */
export function paxMember(name: string, records: Record<string, string>): Buffer {
  const lines = Object.entries(records).map(([key, value]) => {
    const body = ` ${key}=${value}\n`
    let length = body.length + 1
    while (String(length).length + body.length !== length) length = String(length).length + body.length
    return `${length}${body}`
  })
  return tarMember({ name, type: 'x', content: lines.join(''), mode: 0o644 })
}

/** Members, then the end-of-archive marker, padded to GNU tar's 10 KiB record. */
export function tarArchive(...members: Buffer[]): Buffer {
  const body = Buffer.concat([...members, Buffer.alloc(2 * BLOCK)])
  const record = 20 * BLOCK
  return Buffer.concat([body, Buffer.alloc((record - (body.length % record)) % record)])
}

/** The shape the library's `tar --posix -cf … -P` writes for one file: a PAX header with times, then the file. */
export function libraryShapedTar(name: string, content: Buffer | string): Buffer {
  const base = name.slice(name.lastIndexOf('/') + 1)
  const dir = name.slice(0, name.length - base.length)
  const times = { mtime: '1750000000.123456789', atime: '1750000000.123456789', ctime: '1750000000.123456789' }
  return tarArchive(paxMember(`${dir}PaxHeaders/${base}`, times), tarMember({ name, content }))
}

export const zstd = (tar: Buffer): Buffer => zstdCompressSync(tar)
export const gzip = (tar: Buffer): Buffer => gzipSync(tar)

/**
 * A tar made by the system's GNU tar from files laid out in a scratch directory, with the
 * library's flags: `tar --posix -cf - -P -C <dir> <names…>` after `prepare(dir)`.
 */
export function systemTar(prepare: (dir: string) => void, names: string[], cwd = '.'): Buffer {
  const dir = tempDir('poisoned-tar')
  try {
    prepare(dir)
    const made = spawnSync('tar', ['--posix', '-cf', '-', '-P', '-C', join(dir, cwd), ...names], { maxBuffer: 64 * 1024 * 1024 })
    if (made.status !== 0) throw new Error(`tar failed: ${made.stderr.toString()}`)
    return made.stdout
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export function writeTree(dir: string, files: Record<string, string>): void {
  for (const [name, content] of Object.entries(files)) writeFileSync(join(dir, name), content)
}

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width, '0')
}
