// The archive a registration entry is saved as, built in memory: what @actions/cache 6 would
// write for this one file (`tar --posix -cf … -P -C <workspace> <file>`, then compressed), so
// that the library's own restore can read an entry this action saved as well as tar-reader.ts
// can (both are tested against the real library, __tests__/cache/interop.test.ts):
//
//   [PAX extended header 'x' (mtime, atime, ctime; path when the name is longer than ustar's 100 bytes)]
//   [ustar header '0', mode 0600] [content, padded to 512] [two zero blocks, padded to the
//   10 KiB record GNU tar writes]
//
// compressed with zstd (no long mode) when the version names `zstd-without-long`, else gzip:
// the version hashes the method, so it must be the one the bytes are in.
import { promisify } from 'node:util'
import { gzip, zstdCompress } from 'node:zlib'
import type { CompressionMethod } from './cache-version.js'

const BLOCK = 512
/** GNU tar's default record: 20 blocks. */
const RECORD = 20 * BLOCK
const USTAR_NAME_BYTES = 100

const gzipAsync = promisify(gzip)
const zstdAsync = promisify(zstdCompress)

/** One regular file named `name` (relative, `/`-separated), owner-only, in a compressed tar. */
export async function entryArchive(name: string, content: Buffer, method: CompressionMethod, now: number = Date.now()): Promise<Buffer> {
  const tar = singleFileTar(name, content, Math.floor(now / 1000))
  if (method === 'gzip') return gzipAsync(tar)
  // `zstd` (long mode) is what older library versions wrote; this action never saves under it.
  if (method !== 'zstd-without-long') throw new Error(`the compression method ${method} is not one this action saves with`)
  return zstdAsync(tar)
}

export function singleFileTar(name: string, content: Buffer, mtime: number): Buffer {
  const nameBytes = Buffer.from(name, 'utf8')
  const records = ['mtime', 'atime', 'ctime'].map((key) => paxRecord(key, String(mtime)))
  if (nameBytes.length > USTAR_NAME_BYTES) records.push(paxRecord('path', name))
  const pax = Buffer.concat(records)
  // As GNU tar names it: the directory of the file, PaxHeaders, and the base name.
  const slash = name.lastIndexOf('/')
  const paxName = slash < 0 ? `PaxHeaders/${name}` : `${name.slice(0, slash)}/PaxHeaders/${name.slice(slash + 1)}`
  const paxHeader = header({ name: truncate(paxName), mode: 0o600, size: pax.length, mtime, type: 'x' })
  const fileHeader = header({ name: truncate(name), mode: 0o600, size: content.length, mtime, type: '0' })
  const body = Buffer.concat([paxHeader, padded(pax), fileHeader, padded(content), Buffer.alloc(2 * BLOCK)])
  return Buffer.concat([body, Buffer.alloc(Math.ceil(body.length / RECORD) * RECORD - body.length)])
}

function header(fields: { name: Buffer; mode: number; size: number; mtime: number; type: 'x' | '0' }): Buffer {
  const block = Buffer.alloc(BLOCK)
  fields.name.copy(block, 0)
  block.write(octal(fields.mode, 8), 100, 'latin1')
  block.write(octal(0, 8), 108, 'latin1') // uid: nobody's business; tar -x as a user ignores it
  block.write(octal(0, 8), 116, 'latin1') // gid
  block.write(octal(fields.size, 12), 124, 'latin1')
  block.write(octal(fields.mtime, 12), 136, 'latin1')
  block.write(fields.type, 156, 'latin1')
  block.write('ustar\u000000', 257, 'latin1') // POSIX magic and version
  block.fill(0x20, 148, 156)
  let sum = 0
  for (const byte of block) sum += byte
  block.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 'latin1')
  return block
}

/** `width - 1` octal digits and a NUL, as tar writes numeric fields. */
function octal(value: number, width: number): string {
  return `${value.toString(8).padStart(width - 1, '0')}\u0000`
}

/** `<length> <key>=<value>\n`, the length counting itself. */
function paxRecord(key: string, value: string): Buffer {
  const rest = Buffer.byteLength(` ${key}=${value}\n`)
  let length = rest + 1
  while (String(length).length + rest !== length) length += 1
  return Buffer.from(`${length} ${key}=${value}\n`, 'utf8')
}

/** The name field: the name itself when it fits, else its last 100 bytes' worth (the PAX path is what counts). */
function truncate(name: string): Buffer {
  const bytes = Buffer.from(name, 'utf8')
  return bytes.length <= USTAR_NAME_BYTES
    ? bytes
    : Buffer.from(name.slice(-USTAR_NAME_BYTES).replace(/^[^/]*\//, ''), 'utf8').subarray(0, USTAR_NAME_BYTES)
}

function padded(bytes: Buffer): Buffer {
  return Buffer.concat([bytes, Buffer.alloc(Math.ceil(bytes.length / BLOCK) * BLOCK - bytes.length)])
}
