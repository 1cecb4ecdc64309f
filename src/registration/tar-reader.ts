// A strict, in-memory reader for the one tar shape a registration cache entry has: exactly one
// regular file, as `tar --posix -cf … -P` (what @actions/cache runs to save, GNU tar on Linux and
// Windows, bsdtar or gtar on macOS) writes it:
//
//   [PAX extended header 'x' (mtime/atime/ctime, maybe path/size)] [ustar header '0'] [content,
//   padded to 512] [zero blocks to the end]
//
// Why not a tar library: the libraries are extractors. They write to disk, follow or create
// links, honour absolute and `..` paths, and accept dozens of member kinds, which is the very
// attack surface a poisoned cache entry aims at (SECURITY.md, "Cache poisoning"). What is needed
// here is the opposite: a reader that touches no file, accepts exactly one shape and refuses
// everything else with a reason. It returns the member's name and bytes; the caller decides
// whether the name is the one it expects.
//
// Header layout (POSIX ustar; the GNU format shares it up to the magic): name 0..100, mode
// 100..108, uid, gid, size 124..136 (octal), mtime, chksum 148..156, typeflag 156, linkname
// 157..257, magic 257..263 ("ustar\0" POSIX, "ustar " GNU), version 263..265, …, prefix 345..500
// (POSIX only). docs/protocol.md §6.

const BLOCK = 512

export interface TarLimits {
  /** The largest file content accepted, in bytes. */
  maxFileBytes: number
}

export type TarReadResult = { ok: true; name: string; content: Buffer } | { ok: false; reason: string }

/** The PAX keys tar writes for a plain file that mean nothing to an in-memory reader. */
const IGNORED_PAX_KEYS = new Set(['mtime', 'atime', 'ctime', 'uid', 'gid', 'uname', 'gname'])
/** Vendor keys bsdtar writes on macOS (device, inode, link count, flags, creation time): ignored. */
const IGNORED_PAX_PREFIXES = ['SCHILY.', 'LIBARCHIVE.']
/** The largest PAX header accepted: the records tar writes for one file fit in a few hundred bytes. */
const MAX_PAX_BYTES = 8 * 1024

class Refused extends Error {}

/**
 * The single regular file in `tar`, or why the archive is not of the one accepted shape. Never
 * throws; reads nothing but `tar`.
 */
export function readSingleFileTar(tar: Buffer, limits: TarLimits): TarReadResult {
  try {
    return { ok: true, ...readMember(tar, limits) }
  } catch (error) {
    if (error instanceof Refused) return { ok: false, reason: error.message }
    throw error
  }
}

function readMember(tar: Buffer, limits: TarLimits): { name: string; content: Buffer } {
  let offset = 0
  let pax: Map<string, string> | undefined
  let gnuLongName: string | undefined
  for (;;) {
    const header = headerAt(tar, offset)
    if (header === undefined) throw new Refused('the archive holds no file')
    const type = header[156]!
    const typeChar = String.fromCharCode(type)
    if (typeChar === 'x') {
      if (pax !== undefined) throw new Refused('the archive has two extended headers for one member')
      const size = sizeOf(header, MAX_PAX_BYTES, 'extended header')
      pax = parsePax(dataAt(tar, offset, size))
      offset += BLOCK + padded(size)
      continue
    }
    if (typeChar === 'L' && isGnu(header)) {
      if (gnuLongName !== undefined) throw new Refused('the archive has two long-name headers for one member')
      const size = sizeOf(header, MAX_PAX_BYTES, 'long-name header')
      gnuLongName = cString(dataAt(tar, offset, size), 'long name')
      offset += BLOCK + padded(size)
      continue
    }
    if (type !== 0x30 && type !== 0) throw new Refused(`the archive holds a ${memberKind(typeChar)}, not only a regular file`)
    if (pax?.has('linkpath') || cString(header.subarray(157, 257), 'link name') !== '')
      throw new Refused('the file member names a link target')

    const size = pax?.has('size') ? paxSize(pax.get('size')!, limits.maxFileBytes) : sizeOf(header, limits.maxFileBytes, 'file')
    const name = pax?.get('path') ?? gnuLongName ?? ustarName(header)
    if (name === '') throw new Refused('the file member has no name')
    const content = Buffer.from(dataAt(tar, offset, size))
    const end = offset + BLOCK + padded(size)
    // GNU tar and bsdtar end with two zero blocks, padded to the record size: nothing else may follow.
    const rest = tar.subarray(end)
    if (rest.length < 2 * BLOCK) throw new Refused('the archive is truncated (no end-of-archive marker)')
    if (rest.some((byte) => byte !== 0)) throw new Refused('the archive holds more than one member')
    return { name, content }
  }
}

/** The header block at `offset`, checksum verified; undefined at a zero block (the end of the archive). */
function headerAt(tar: Buffer, offset: number): Buffer | undefined {
  if (offset + BLOCK > tar.length) throw new Refused('the archive is truncated (a header is cut short)')
  const header = tar.subarray(offset, offset + BLOCK)
  if (header.every((byte) => byte === 0)) return undefined
  const magic = header.subarray(257, 263).toString('latin1')
  if (magic !== 'ustar\0' && magic !== 'ustar ') throw new Refused('a header is not a ustar, PAX or GNU tar header')
  const stored = octal(header.subarray(148, 156), 'checksum')
  let sum = 0
  for (let index = 0; index < BLOCK; index++) sum += index >= 148 && index < 156 ? 0x20 : header[index]!
  if (stored !== sum) throw new Refused('a header checksum does not match')
  return header
}

function isGnu(header: Buffer): boolean {
  return header.subarray(257, 263).toString('latin1') === 'ustar '
}

function dataAt(tar: Buffer, headerOffset: number, size: number): Buffer {
  const start = headerOffset + BLOCK
  if (start + padded(size) > tar.length) throw new Refused('the archive is truncated (a member is cut short)')
  return tar.subarray(start, start + size)
}

function padded(size: number): number {
  return Math.ceil(size / BLOCK) * BLOCK
}

function sizeOf(header: Buffer, max: number, what: string): number {
  // GNU's base-256 sizes (high bit set) exist for members over 8 GiB: never a registration.
  if ((header[124]! & 0x80) !== 0) throw new Refused(`the ${what} member is larger than ${max} bytes`)
  const size = octal(header.subarray(124, 136), 'size')
  if (size > max) throw new Refused(`the ${what} member is larger than ${max} bytes`)
  return size
}

function paxSize(value: string, max: number): number {
  if (!/^\d{1,12}$/.test(value)) throw new Refused('the extended header has a malformed size')
  const size = Number(value)
  if (size > max) throw new Refused(`the file member is larger than ${max} bytes`)
  return size
}

/** An octal number field: digits, then NUL or spaces (leading spaces too, as old tars wrote). */
function octal(field: Buffer, what: string): number {
  const text = field
    .toString('latin1')
    .replace(/^ +/, '')
    .replace(/[ \0]+$/, '')
  if (!/^[0-7]{1,12}$/.test(text)) throw new Refused(`a header has a malformed ${what} field`)
  return parseInt(text, 8)
}

/** A NUL-terminated (or full-width) text field, printable only: a name with a control character is no name we wrote. */
function cString(field: Buffer, what: string): string {
  const end = field.indexOf(0)
  const raw = end < 0 ? field : field.subarray(0, end)
  if (end >= 0 && field.subarray(end).some((byte) => byte !== 0)) throw new Refused(`a header's ${what} has bytes after its end`)
  return printable(raw, what)
}

function printable(bytes: Buffer, what: string): string {
  const text = bytes.toString('utf8')
  if (!Buffer.from(text, 'utf8').equals(bytes) || /[\p{Cc}\p{Cf}]/u.test(text)) throw new Refused(`the ${what} is not printable UTF-8`)
  return text
}

function ustarName(header: Buffer): string {
  const name = cString(header.subarray(0, 100), 'name')
  if (isGnu(header)) return name
  const prefix = cString(header.subarray(345, 500), 'name prefix')
  return prefix === '' ? name : `${prefix}/${name}`
}

/** PAX records, `<length> <key>=<value>\n` each, the length counting the whole record. */
function parsePax(data: Buffer): Map<string, string> {
  const records = new Map<string, string>()
  let at = 0
  while (at < data.length) {
    const space = data.indexOf(0x20, at)
    const lengthText = space < 0 ? '' : data.subarray(at, space).toString('latin1')
    if (!/^[1-9]\d{0,5}$/.test(lengthText)) throw new Refused('the extended header is malformed')
    const length = Number(lengthText)
    const record = data.subarray(at, at + length)
    if (record.length !== length || record[length - 1] !== 0x0a) throw new Refused('the extended header is malformed')
    const body = record.subarray(space - at + 1, length - 1)
    const equals = body.indexOf(0x3d)
    if (equals <= 0) throw new Refused('the extended header is malformed')
    const key = printable(body.subarray(0, equals), 'extended header key')
    const value = printable(body.subarray(equals + 1), `extended header ${key}`)
    if (key === 'path' || key === 'size' || key === 'linkpath') {
      if (records.has(key)) throw new Refused(`the extended header sets ${key} twice`)
      records.set(key, value)
    } else if (!IGNORED_PAX_KEYS.has(key) && !IGNORED_PAX_PREFIXES.some((prefix) => key.startsWith(prefix))) {
      // hdrcharset, GNU.sparse.*, anything else: not what tar writes for a small plain file.
      throw new Refused('the extended header has a key tar does not write for a plain file')
    }
    at += length
  }
  return records
}

function memberKind(type: string): string {
  switch (type) {
    case '1':
      return 'hard link'
    case '2':
      return 'symbolic link'
    case '3':
    case '4':
      return 'device'
    case '5':
      return 'directory'
    case '6':
      return 'FIFO'
    case 'g':
      return 'global extended header'
    default:
      return 'member of another kind'
  }
}
