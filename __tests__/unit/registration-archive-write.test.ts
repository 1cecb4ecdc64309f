// The archive the action saves an entry as: read back by the action's own strict reader, in both
// compressions, with short and long names (interop.test.ts proves the real library reads it too).
import { describe, expect, it } from '@jest/globals'
import { gunzipSync, zstdDecompressSync } from 'node:zlib'
import { entryArchive, singleFileTar } from '../../src/registration/archive-write.js'
import { entryFromArchive } from '../../src/registration/entry-archive.js'
import { readSingleFileTar } from '../../src/registration/tar-reader.js'

const NAME = '../../../.aws-sso-device-auth-registration.json'
const CONTENT = Buffer.from('{"format":"aws-sso-device-auth/registration"}')

describe('entryArchive', () => {
  it('compresses with zstd for zstd-without-long and gzip for gzip, and the reader takes the file back', async () => {
    const zstd = await entryArchive(NAME, CONTENT, 'zstd-without-long', 1_700_000_000_000)
    const gzip = await entryArchive(NAME, CONTENT, 'gzip', 1_700_000_000_000)
    expect(zstd.subarray(0, 4)).toEqual(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))
    expect(gzip.subarray(0, 2)).toEqual(Buffer.from([0x1f, 0x8b]))
    expect(zstdDecompressSync(zstd)).toEqual(gunzipSync(gzip))
    for (const archive of [zstd, gzip]) expect(entryFromArchive(archive, NAME)).toEqual({ ok: true, text: CONTENT.toString('utf8') })
  })

  it('refuses the long-mode method, which this action never saves with', async () => {
    await expect(entryArchive(NAME, CONTENT, 'zstd')).rejects.toThrow(/not one this action saves with/)
  })
})

describe('singleFileTar', () => {
  it('writes one 0600 regular file after a PAX header, padded to the 10 KiB record, with valid checksums', () => {
    const tar = singleFileTar(NAME, CONTENT, 1_700_000_000)
    expect(tar.length % 10240).toBe(0)
    expect(String.fromCharCode(tar[156]!)).toBe('x')
    const file = tar.subarray(1024)
    expect(String.fromCharCode(file[156]!)).toBe('0')
    expect(file.subarray(0, NAME.length).toString('latin1')).toBe(NAME)
    expect(parseInt(file.subarray(100, 107).toString('latin1'), 8)).toBe(0o600)
    expect(file.subarray(257, 265).toString('latin1')).toBe('ustar\u000000')
    expect(readSingleFileTar(tar, { maxFileBytes: 1024 })).toEqual({ ok: true, name: NAME, content: CONTENT })
  })

  it('names a file longer than 100 bytes in the PAX path record', () => {
    const long = `${'../'.repeat(40)}.aws-sso-device-auth-registration.json`
    expect(readSingleFileTar(singleFileTar(long, CONTENT, 0), { maxFileBytes: 1024 })).toEqual({ ok: true, name: long, content: CONTENT })
  })
})
