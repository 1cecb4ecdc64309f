// The strict tar reader and the archive check around it: exactly one regular file of the one
// shape @actions/cache writes, anything else refused with a reason, and nothing ever written.
import { describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { zstdDecompressSync } from 'node:zlib'
import { readSingleFileTar } from '../../src/registration/tar-reader.js'
import { entryFromArchive, MAX_ENTRY_FILE_BYTES, MAX_TAR_BYTES } from '../../src/registration/entry-archive.js'
import { gzip, libraryShapedTar, paxMember, systemTar, tarArchive, tarHeader, tarMember, writeTree, zstd } from '../cache/tar-builder.js'

const NAME = '../../../.aws-sso-device-auth-registration.json'
const DOCUMENT = '{"format":"aws-sso-device-auth/registration","version":1}'
const limits = { maxFileBytes: MAX_ENTRY_FILE_BYTES }

describe('readSingleFileTar', () => {
  it('reads the shape GNU tar writes with the library flags (tar --posix -cf - -P)', () => {
    const tar = systemTar((dir) => writeTree(dir, { 'entry.json': DOCUMENT }), ['entry.json'])
    // The system tar really wrote a PAX header first: the test covers the shape it claims to.
    expect(String.fromCharCode(tar[156]!)).toBe('x')

    expect(readSingleFileTar(tar, limits)).toEqual({ ok: true, name: 'entry.json', content: Buffer.from(DOCUMENT) })
  })

  it('reads a ../ name kept by -P, a plain ustar member, a GNU member and a GNU long name', () => {
    expect(readSingleFileTar(libraryShapedTar(NAME, DOCUMENT), limits)).toMatchObject({ ok: true, name: NAME })
    expect(readSingleFileTar(tarArchive(tarMember({ name: NAME, content: DOCUMENT })), limits)).toMatchObject({ ok: true, name: NAME })
    expect(readSingleFileTar(tarArchive(tarMember({ name: NAME, content: DOCUMENT, format: 'gnu' })), limits)).toMatchObject({
      ok: true,
      name: NAME
    })
    const long = `${'../'.repeat(40)}.aws-sso-device-auth-registration.json`
    const longName = tarMember({ name: '././@LongLink', type: 'L', content: `${long}\0`, format: 'gnu' })
    expect(
      readSingleFileTar(tarArchive(longName, tarMember({ name: long.slice(0, 99), content: DOCUMENT, format: 'gnu' })), limits)
    ).toMatchObject({
      ok: true,
      name: long
    })
  })

  it('takes the name from a PAX path record and from the ustar prefix', () => {
    const pax = paxMember('PaxHeaders/x', { path: NAME, mtime: '1' })
    expect(readSingleFileTar(tarArchive(pax, tarMember({ name: 'truncated-name', content: DOCUMENT })), limits)).toMatchObject({
      ok: true,
      name: NAME
    })
    expect(readSingleFileTar(tarArchive(tarMember({ name: 'b.json', prefix: 'a', content: DOCUMENT })), limits)).toMatchObject({
      ok: true,
      name: 'a/b.json'
    })
  })

  const refusals: Array<[string, Buffer, RegExp]> = [
    ['a symbolic link', tarArchive(tarMember({ name: NAME, type: '2', linkname: '/home/runner/.aws/config' })), /symbolic link/],
    ['a hard link', tarArchive(tarMember({ name: NAME, type: '1', linkname: '../../../.aws/config' })), /hard link/],
    ['a character device', tarArchive(tarMember({ name: NAME, type: '3' })), /device/],
    ['a directory', tarArchive(tarMember({ name: '../../../', type: '5' }), tarMember({ name: NAME, content: DOCUMENT })), /directory/],
    ['a FIFO', tarArchive(tarMember({ name: NAME, type: '6' })), /FIFO/],
    [
      'a global PAX header',
      tarArchive(tarMember({ name: 'g', type: 'g', content: '9 a=bcd\n' }), tarMember({ name: NAME, content: DOCUMENT })),
      /global/
    ],
    ['a regular file with a link target', tarArchive(tarMember({ name: NAME, content: DOCUMENT, linkname: 'elsewhere' })), /link target/],
    [
      'a PAX linkpath',
      tarArchive(paxMember('p', { linkpath: '/etc/passwd' }), tarMember({ name: NAME, content: DOCUMENT })),
      /link target/
    ],
    [
      'an unknown PAX key',
      tarArchive(paxMember('p', { 'GNU.sparse.map': '0,1' }), tarMember({ name: NAME, content: DOCUMENT })),
      /key tar does not write/
    ],
    [
      'two members',
      tarArchive(tarMember({ name: NAME, content: DOCUMENT }), tarMember({ name: 'dist/post/index.js', content: 'evil()' })),
      /more than one member/
    ],
    [
      'two PAX headers',
      tarArchive(paxMember('p', {}), paxMember('p', {}), tarMember({ name: NAME, content: DOCUMENT })),
      /two extended headers/
    ],
    ['a bad header checksum', tarArchive(tarMember({ name: NAME, content: DOCUMENT, checksumOffset: 1 })), /checksum/],
    ['a member over the size limit', tarArchive(tarMember({ name: NAME, content: 'x'.repeat(MAX_ENTRY_FILE_BYTES + 1) })), /larger than/],
    [
      'a size field that claims gigabytes',
      tarArchive(tarMember({ name: NAME, content: DOCUMENT, sizeField: 0o77777777777 })),
      /larger than/
    ],
    [
      'a PAX size over the limit',
      tarArchive(paxMember('p', { size: String(10 ** 11) }), tarMember({ name: NAME, content: DOCUMENT })),
      /larger than/
    ],
    ['a size that runs past the end', Buffer.concat([tarHeader({ name: NAME, sizeField: 4096 }), Buffer.alloc(512)]), /truncated/],
    ['no end-of-archive marker', tarMember({ name: NAME, content: DOCUMENT }), /truncated/],
    ['a header cut short', tarMember({ name: NAME, content: DOCUMENT }).subarray(0, 300), /truncated/],
    ['no member at all', Buffer.alloc(10240), /no file/],
    ['a PAX header and no file', tarArchive(paxMember('p', { mtime: '1' })), /no file/],
    ['not a tar', Buffer.alloc(1024, 'a'), /not a ustar/],
    ['a name with a control character', tarArchive(tarMember({ name: 'a\x1b[2Jb', content: DOCUMENT })), /not printable/],
    [
      'a malformed PAX record',
      tarArchive(tarMember({ name: 'p', type: 'x', content: '99 path=x\n' }), tarMember({ name: NAME, content: DOCUMENT })),
      /malformed/
    ]
  ]

  it.each(refusals)('refuses %s', (_what, tar, reason) => {
    const result = readSingleFileTar(tar, limits)
    expect(result.ok).toBe(false)
    expect(!result.ok && result.reason).toMatch(reason)
  })
})

describe('entryFromArchive', () => {
  it('opens the zstd and gzip archives the library writes, when the file has the expected name', () => {
    const tar = libraryShapedTar(NAME, DOCUMENT)
    expect(entryFromArchive(zstd(tar), NAME)).toEqual({ ok: true, text: DOCUMENT })
    expect(entryFromArchive(gzip(tar), NAME)).toEqual({ ok: true, text: DOCUMENT })
  })

  it('refuses a file of any other name: absolute, traversing to another file, or nested', () => {
    for (const name of [
      '/home/runner/work/_actions/o/aws-sso-device-auth/v1/dist/post/index.js',
      '../../../.aws/config',
      'sub/.aws-sso-device-auth-registration.json'
    ]) {
      expect(entryFromArchive(zstd(libraryShapedTar(name, DOCUMENT)), NAME)).toEqual({
        ok: false,
        reason: 'the archive holds a file other than the registration'
      })
    }
  })

  it('tells our own file archived from a workspace at another depth apart from an attack', () => {
    const result = entryFromArchive(zstd(libraryShapedTar('../../../../.aws-sso-device-auth-registration.json', DOCUMENT)), NAME)
    expect(result).toMatchObject({ ok: false, misplaced: true })
  })

  it('refuses a zip bomb without inflating it past the bound, and what is neither zstd nor gzip', () => {
    const bomb = zstd(tarArchive(tarMember({ name: NAME, content: Buffer.alloc(8 * MAX_TAR_BYTES) })))
    expect(bomb.length).toBeLessThan(4096)
    expect(entryFromArchive(bomb, NAME)).toEqual({ ok: false, reason: `the archive decompresses to more than ${MAX_TAR_BYTES} bytes` })
    expect(entryFromArchive(gzip(Buffer.alloc(8 * MAX_TAR_BYTES)), NAME)).toEqual({
      ok: false,
      reason: `the archive decompresses to more than ${MAX_TAR_BYTES} bytes`
    })
    expect(entryFromArchive(Buffer.from('PK\x03\x04 a zip'), NAME)).toEqual({ ok: false, reason: 'the archive is neither zstd nor gzip' })
    expect(entryFromArchive(Buffer.from([0x28, 0xb5, 0x2f, 0xfd, 1, 2, 3]), NAME)).toEqual({
      ok: false,
      reason: 'the archive does not decompress'
    })
  })

  it('reads a frame compressed with zstd --long=30, as older versions of the library saved', () => {
    const tar = libraryShapedTar(NAME, DOCUMENT)
    // From stdin the size is unknown, so zstd declares the full 2^30 window: above zlib's default limit.
    const long = spawnSync('zstd', ['--long=30', '-c', '-q'], { input: tar })
    expect(long.status).toBe(0)
    expect(() => zstdDecompressSync(long.stdout)).toThrow()
    expect(entryFromArchive(long.stdout as Buffer, NAME)).toEqual({ ok: true, text: DOCUMENT })
  })
})
