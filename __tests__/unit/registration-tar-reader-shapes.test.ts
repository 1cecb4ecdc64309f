// The strict tar reader field by field: every refusal with its exact reason (the reason reaches
// the one cache warning), and the edges of what it accepts: size limits to the byte, octal fields
// as the tars write them, PAX records tar writes for a plain file, old-style and GNU members.
import { describe, expect, it } from '@jest/globals'
import { readSingleFileTar } from '../../src/registration/tar-reader.js'
import { paxMember, tarArchive, tarHeader, tarMember } from '../cache/tar-builder.js'

const NAME = 'entry.json'
const DOCUMENT = '{"ok":true}'
const LIMITS = { maxFileBytes: 64 }
const BLOCK = 512
/** The reader's bound on one PAX header (MAX_PAX_BYTES). */
const MAX_PAX = 8 * 1024

/** A header with `text` written at `offset` over what was there, its checksum made right again. */
function patched(header: Buffer, offset: number, bytes: Buffer | string): Buffer {
  const copy = Buffer.from(header)
  Buffer.from(bytes).copy(copy, offset)
  copy.fill(0x20, 148, 156)
  let sum = 0
  for (const byte of copy) sum += byte
  copy.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148, 'latin1')
  return copy
}

/** A member made of a (patched) header and its content, padded to the block size. */
function memberWith(header: Buffer, content: Buffer | string = ''): Buffer {
  const data = Buffer.from(content)
  return Buffer.concat([header, data, Buffer.alloc((BLOCK - (data.length % BLOCK)) % BLOCK)])
}

/** One PAX record as tar writes it: `<length> <key>=<value>\n`, the length in bytes counting itself. */
function paxRecord(key: string, value: string): string {
  const bodyBytes = Buffer.byteLength(` ${key}=${value}\n`)
  let length = bodyBytes + 1
  while (String(length).length + bodyBytes !== length) length = String(length).length + bodyBytes
  return `${length} ${key}=${value}\n`
}

const paxWith = (content: string | Buffer): Buffer => tarMember({ name: 'PaxHeaders/entry.json', type: 'x', content })
const file = (content: string = DOCUMENT): Buffer => tarMember({ name: NAME, content })
const read = (tar: Buffer, limits = LIMITS) => readSingleFileTar(tar, limits)
const refused = (reason: string) => ({ ok: false, reason })
const accepted = (name: string, content: string = DOCUMENT) => ({ ok: true, name, content: Buffer.from(content) })

describe('sizes, to the byte', () => {
  it('accepts a file of exactly the limit and refuses one byte more, by the header and by a PAX size', () => {
    expect(read(tarArchive(file('x'.repeat(64))))).toEqual(accepted(NAME, 'x'.repeat(64)))
    expect(read(tarArchive(file('x'.repeat(65))))).toEqual(refused('the file member is larger than 64 bytes'))

    const paxSized = (size: number) =>
      tarArchive(paxMember('p', { size: String(size) }), tarMember({ name: NAME, content: 'y'.repeat(size), sizeField: 0 }))
    expect(read(paxSized(64))).toEqual(accepted(NAME, 'y'.repeat(64)))
    expect(read(paxSized(65))).toEqual(refused('the file member is larger than 64 bytes'))
  })

  it('reads as many bytes as a PAX size says, whatever the header says', () => {
    const tar = tarArchive(paxMember('p', { size: '5' }), tarMember({ name: NAME, content: 'abcde', sizeField: 3 }))
    expect(read(tar)).toEqual(accepted(NAME, 'abcde'))
  })

  it('accepts a PAX header of exactly its bound and refuses one byte more', () => {
    const exact = paxRecord('mtime', '1'.repeat(MAX_PAX - 12))
    expect(Buffer.byteLength(exact)).toBe(MAX_PAX)
    expect(read(tarArchive(paxWith(exact), file()))).toEqual(accepted(NAME))
    const over = paxRecord('mtime', '1'.repeat(MAX_PAX - 11))
    expect(Buffer.byteLength(over)).toBe(MAX_PAX + 1)
    expect(read(tarArchive(paxWith(over), file()))).toEqual(refused('the extended header member is larger than 8192 bytes'))
  })

  it('refuses a GNU base-256 size (high bit set), whatever its value', () => {
    const header = patched(tarHeader({ name: NAME, content: DOCUMENT }), 124, Buffer.from([0x80, ...Buffer.alloc(10), DOCUMENT.length]))
    expect(read(tarArchive(memberWith(header, DOCUMENT)))).toEqual(refused('the file member is larger than 64 bytes'))
  })

  it.each([
    ['letters', 'abc'],
    ['a sign', '-5'],
    ['thirteen digits', '1'.repeat(13)],
    ['nothing', '']
  ])('refuses a PAX size of %s', (_what, size) => {
    const tar = tarArchive(paxWith(paxRecord('size', size)), file())
    expect(read(tar)).toEqual(refused('the extended header has a malformed size'))
  })

  it('accepts a PAX size of twelve digits within the limit', () => {
    const tar = tarArchive(paxWith(paxRecord('size', '000000000011')), tarMember({ name: NAME, content: DOCUMENT }))
    expect(read(tar)).toEqual(accepted(NAME))
  })
})

describe('octal fields as tars write them', () => {
  const size = DOCUMENT.length.toString(8)
  it.each([
    ['zero-padded, NUL-terminated', `${size.padStart(11, '0')}\0`],
    ['zero-padded, space-terminated', `${size.padStart(11, '0')} `],
    ['full width, no terminator', size.padStart(12, '0')],
    ['leading spaces, as old tars wrote', `${size.padStart(10, ' ')}\0\0`],
    ['trailing spaces and NULs mixed', `${size} \0 \0 \0 \0 `.slice(0, 12)]
  ])('reads a size field %s', (_what, field) => {
    const header = patched(tarHeader({ name: NAME, content: DOCUMENT }), 124, field.padEnd(12, '\0'))
    expect(read(tarArchive(memberWith(header, DOCUMENT)))).toEqual(accepted(NAME))
  })

  it.each([
    ['a digit 8', '00000000018\0'],
    ['a space inside', '000000 0013\0'],
    ['a space inside a full-width field', '00000 000013'],
    ['only spaces', '            '],
    ['a letter after the digits', '00000000013x']
  ])('refuses a size field with %s', (_what, field) => {
    const header = patched(tarHeader({ name: NAME, content: DOCUMENT }), 124, field)
    expect(read(tarArchive(memberWith(header, DOCUMENT)))).toEqual(refused('a header has a malformed size field'))
  })

  it('refuses a checksum field that is not octal, and a checksum one off', () => {
    const good = tarHeader({ name: NAME, content: DOCUMENT })
    const notOctal = Buffer.from(good)
    notOctal.write('0x1234\0 ', 148, 'latin1')
    expect(read(tarArchive(memberWith(notOctal, DOCUMENT)))).toEqual(refused('a header has a malformed checksum field'))
    expect(read(tarArchive(tarMember({ name: NAME, content: DOCUMENT, checksumOffset: -1 })))).toEqual(
      refused('a header checksum does not match')
    )
  })

  it('counts the checksum field itself as spaces, whatever it holds', () => {
    // The same header with its checksum written space-terminated instead of NUL-space.
    const header = Buffer.from(tarHeader({ name: NAME, content: DOCUMENT }))
    const stored = header.subarray(148, 154).toString('latin1')
    header.write(`${stored}  `, 148, 'latin1')
    expect(read(tarArchive(memberWith(header, DOCUMENT)))).toEqual(accepted(NAME))
  })
})

describe('member kinds and names', () => {
  it('accepts an old-style regular file (typeflag NUL)', () => {
    const header = patched(tarHeader({ name: NAME, content: DOCUMENT }), 156, Buffer.from([0]))
    expect(read(tarArchive(memberWith(header, DOCUMENT)))).toEqual(accepted(NAME))
  })

  it.each([
    ['1', 'hard link'],
    ['2', 'symbolic link'],
    ['3', 'device'],
    ['4', 'device'],
    ['5', 'directory'],
    ['6', 'FIFO'],
    ['g', 'global extended header'],
    ['7', 'member of another kind'],
    ['K', 'member of another kind']
  ])('refuses typeflag %s as a %s', (type, kind) => {
    expect(read(tarArchive(tarMember({ name: NAME, type, content: '' })))).toEqual(
      refused(`the archive holds a ${kind}, not only a regular file`)
    )
  })

  it('refuses a long-name header in a POSIX (not GNU) archive as a member of another kind', () => {
    const tar = tarArchive(tarMember({ name: '././@LongLink', type: 'L', content: `${NAME}\0` }), file())
    expect(read(tar)).toEqual(refused('the archive holds a member of another kind, not only a regular file'))
  })

  it('takes a GNU long name, and refuses two, one with bytes after its end, and one over the bound', () => {
    const longName = (name: string) => tarMember({ name: '././@LongLink', type: 'L', content: name, format: 'gnu' })
    const gnuFile = tarMember({ name: 'short', content: DOCUMENT, format: 'gnu' })
    expect(read(tarArchive(longName(`${NAME}\0`), gnuFile))).toEqual(accepted(NAME))
    expect(read(tarArchive(longName(`${NAME}\0`), longName(`${NAME}\0`), gnuFile))).toEqual(
      refused('the archive has two long-name headers for one member')
    )
    expect(read(tarArchive(longName(`${NAME}\0x`), gnuFile))).toEqual(refused("a header's long name has bytes after its end"))
    expect(read(tarArchive(longName('n'.repeat(MAX_PAX + 1)), gnuFile))).toEqual(
      refused('the long-name header member is larger than 8192 bytes')
    )
  })

  it('reads the ustar prefix of a POSIX member only: a GNU header keeps other fields there', () => {
    expect(read(tarArchive(tarMember({ name: NAME, prefix: 'dir', content: DOCUMENT })))).toEqual(accepted(`dir/${NAME}`))
    expect(read(tarArchive(tarMember({ name: NAME, prefix: 'dir', content: DOCUMENT, format: 'gnu' })))).toEqual(accepted(NAME))
  })

  it('reads a name that fills its whole field, with no NUL', () => {
    const name = 'n'.repeat(100)
    expect(read(tarArchive(tarMember({ name, content: DOCUMENT })))).toEqual(accepted(name))
  })

  it('refuses a file with no name, one whose name has bytes after its end, and names that are not printable UTF-8', () => {
    expect(read(tarArchive(tarMember({ name: '', content: DOCUMENT })))).toEqual(refused('the file member has no name'))
    const trailing = patched(tarHeader({ name: NAME, content: DOCUMENT }), 0, `${NAME}\0junk`)
    expect(read(tarArchive(memberWith(trailing, DOCUMENT)))).toEqual(refused("a header's name has bytes after its end"))
    const invalid = patched(tarHeader({ name: NAME, content: DOCUMENT }), 0, Buffer.from([0x61, 0xff, 0x62]))
    expect(read(tarArchive(memberWith(invalid, DOCUMENT)))).toEqual(refused('the name is not printable UTF-8'))
    expect(read(tarArchive(tarMember({ name: 'a\u200bb', content: DOCUMENT })))).toEqual(refused('the name is not printable UTF-8'))
    expect(read(tarArchive(tarMember({ name: 'a\tb', content: DOCUMENT })))).toEqual(refused('the name is not printable UTF-8'))
    expect(read(tarArchive(tarMember({ name: NAME, prefix: 'd\u0007', content: DOCUMENT })))).toEqual(
      refused('the name prefix is not printable UTF-8')
    )
  })

  it('refuses a link name with bytes after its end as such, and any link target on a file', () => {
    const header = patched(tarHeader({ name: NAME, content: DOCUMENT }), 157, '\0x')
    expect(read(tarArchive(memberWith(header, DOCUMENT)))).toEqual(refused("a header's link name has bytes after its end"))
    expect(read(tarArchive(tarMember({ name: NAME, content: DOCUMENT, linkname: 'x' })))).toEqual(
      refused('the file member names a link target')
    )
    expect(read(tarArchive(paxMember('p', { linkpath: 'x' }), file()))).toEqual(refused('the file member names a link target'))
  })
})

describe('PAX records', () => {
  it.each(['mtime', 'atime', 'ctime', 'uid', 'gid', 'uname', 'gname', 'SCHILY.dev', 'SCHILY.ino', 'LIBARCHIVE.creationtime'])(
    'ignores %s',
    (key) => {
      expect(read(tarArchive(paxMember('p', { [key]: '1' }), file()))).toEqual(accepted(NAME))
    }
  )

  it.each(['hdrcharset', 'GNU.sparse.size', 'comment', 'x.SCHILY.', 'schily.dev', 'mtimes'])('refuses %s', (key) => {
    expect(read(tarArchive(paxMember('p', { [key]: '1' }), file()))).toEqual(
      refused('the extended header has a key tar does not write for a plain file')
    )
  })

  it('takes path over the ustar name, and refuses it or size set twice', () => {
    expect(read(tarArchive(paxMember('p', { path: 'from/pax.json' }), file()))).toEqual(accepted('from/pax.json'))
    const twice = (key: string, value: string) => tarArchive(paxWith(paxRecord(key, value) + paxRecord(key, value)), file())
    expect(read(twice('path', 'a'))).toEqual(refused('the extended header sets path twice'))
    expect(read(twice('size', '11'))).toEqual(refused('the extended header sets size twice'))
  })

  it('reads several records in one header', () => {
    const tar = tarArchive(paxWith(paxRecord('mtime', '1') + paxRecord('path', 'p.json') + paxRecord('atime', '2')), file())
    expect(read(tar)).toEqual(accepted('p.json'))
  })

  it.each([
    ['a length with a leading zero', '09 a=bcde\n'],
    ['a length of zero', '0 a=b\n'],
    ['no space after the length', '9a=bcdefg\n'],
    ['no length', ' mtime=1\n'],
    ['a length of seven digits', `1000000 mtime=1\n`],
    ['a length past the data', '99 mtime=1\n'],
    ['a record that does not end in a line feed', '11 mtime=12x'],
    ['a record without =', '10 mtime1\n'],
    ['an empty key', '9 =value\n'],
    // Each of these is refused by the length check alone: the record is whole and its key ignored.
    ['a length with a leading zero that counts right', '012 mtime=1\n'],
    ['a length in exponent notation', '1e1 uid=1\n'],
    ['a whole record that ends without a line feed', '11 mtime=1x']
  ])('refuses %s as malformed', (_what, records) => {
    expect(read(tarArchive(paxWith(records), file()))).toEqual(refused('the extended header is malformed'))
  })

  it('refuses a key or a value that is not printable UTF-8, naming which', () => {
    expect(read(tarArchive(paxWith(paxRecord('mt\u0007ime', '1')), file()))).toEqual(
      refused('the extended header key is not printable UTF-8')
    )
    expect(read(tarArchive(paxWith(paxRecord('path', 'a\u202eb')), file()))).toEqual(
      refused('the extended header path is not printable UTF-8')
    )
  })

  it('refuses two extended headers for one member', () => {
    expect(read(tarArchive(paxMember('p', {}), paxMember('p', {}), file()))).toEqual(
      refused('the archive has two extended headers for one member')
    )
  })
})

describe('the archive around the member', () => {
  it('accepts exactly two zero blocks after the file, and refuses one', () => {
    expect(read(Buffer.concat([file(), Buffer.alloc(2 * BLOCK)]))).toEqual(accepted(NAME))
    expect(read(Buffer.concat([file(), Buffer.alloc(BLOCK)]))).toEqual(refused('the archive is truncated (no end-of-archive marker)'))
    expect(read(file())).toEqual(refused('the archive is truncated (no end-of-archive marker)'))
  })

  it('refuses any byte after the member, in the padding of the record too', () => {
    const tar = tarArchive(file())
    const tail = Buffer.from(tar)
    tail[tail.length - 1] = 1
    expect(read(tail)).toEqual(refused('the archive holds more than one member'))
  })

  it('refuses content cut short, a header cut short, and an archive of nothing', () => {
    const member = file('z'.repeat(40))
    expect(read(member.subarray(0, BLOCK + 100))).toEqual(refused('the archive is truncated (a member is cut short)'))
    expect(read(member.subarray(0, BLOCK - 1))).toEqual(refused('the archive is truncated (a header is cut short)'))
    expect(read(Buffer.alloc(0))).toEqual(refused('the archive is truncated (a header is cut short)'))
    expect(read(Buffer.alloc(BLOCK))).toEqual(refused('the archive holds no file'))
    expect(read(tarArchive(paxMember('p', { mtime: '1' })))).toEqual(refused('the archive holds no file'))
  })

  it.each([
    ['no magic', Buffer.alloc(6)],
    ['ustar without its NUL', Buffer.from('ustar0')],
    ['a magic off by one byte', Buffer.from('ustaR\0')]
  ])('refuses a header with %s', (_what, magic) => {
    const header = patched(tarHeader({ name: NAME, content: DOCUMENT }), 257, Buffer.concat([magic, Buffer.alloc(6 - magic.length)]))
    expect(read(tarArchive(memberWith(header, DOCUMENT)))).toEqual(refused('a header is not a ustar, PAX or GNU tar header'))
  })

  it('returns a copy of the content, not a view into the archive', () => {
    const tar = tarArchive(file())
    const result = read(tar)
    tar.fill(0x41, BLOCK, BLOCK + DOCUMENT.length)
    expect(result).toEqual(accepted(NAME))
  })
})
