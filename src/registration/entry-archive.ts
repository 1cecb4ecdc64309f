// The registration file out of a downloaded cache archive, in memory: decompressed with bounds,
// read by the strict tar reader, and accepted only under the name this action archives it as.
// Nothing here touches the filesystem: the archive may have been written by anyone who can write
// the repository's Actions cache (SECURITY.md, "Cache poisoning"), so it is data to check, never
// something to unpack.
import { gunzipSync, zstdDecompressSync, constants as zlibConstants } from 'node:zlib'
import { readSingleFileTar } from './tar-reader.js'

/** An entry is a few KB; anything near these bounds was not written by this action. */
export const MAX_ARCHIVE_BYTES = 1024 * 1024
export const MAX_TAR_BYTES = 1024 * 1024
export const MAX_ENTRY_FILE_BYTES = 64 * 1024

// @actions/cache compresses with `zstdmt` (a window of a few MiB at most), older versions and
// other runners with `zstd --long=30` (a 1 GiB window), or gzip when zstd is missing
// (docs/protocol.md §6). The decoder must accept a 2^30 window to read the long-mode frames;
// the output bound, not the window, is what keeps memory small.
const ZSTD_WINDOW_LOG_MAX = 30

export type EntryArchiveResult =
  | { ok: true; text: string }
  /** `misplaced`: one file under our file name, archived from a workspace at another depth below HOME. */
  | { ok: false; reason: string; misplaced?: boolean }

/**
 * The registration document inside `archive`, when the archive is exactly one regular file named
 * `expectedName` (as @actions/cache archives it: relative to GITHUB_WORKSPACE, `/`-separated).
 */
export function entryFromArchive(archive: Buffer, expectedName: string): EntryArchiveResult {
  if (archive.length > MAX_ARCHIVE_BYTES) return { ok: false, reason: `the archive is larger than ${MAX_ARCHIVE_BYTES} bytes` }
  const tar = decompress(archive)
  if (!tar.ok) return tar
  const member = readSingleFileTar(tar.bytes, { maxFileBytes: MAX_ENTRY_FILE_BYTES })
  if (!member.ok) return member
  if (member.name !== expectedName) {
    if (isOurFileElsewhere(member.name, expectedName))
      return { ok: false, reason: `it holds ${member.name}, not ${expectedName}`, misplaced: true }
    return { ok: false, reason: 'the archive holds a file other than the registration' }
  }
  return { ok: true, text: member.content.toString('utf8') }
}

type Decompressed = { ok: true; bytes: Buffer } | { ok: false; reason: string }

function decompress(archive: Buffer): Decompressed {
  const options = { maxOutputLength: MAX_TAR_BYTES }
  try {
    if (archive.subarray(0, 4).equals(ZSTD_MAGIC)) {
      return {
        ok: true,
        bytes: zstdDecompressSync(archive, { ...options, params: { [zlibConstants.ZSTD_d_windowLogMax]: ZSTD_WINDOW_LOG_MAX } })
      }
    }
    if (archive[0] === 0x1f && archive[1] === 0x8b) return { ok: true, bytes: gunzipSync(archive, options) }
  } catch (error) {
    const code = (error as { code?: unknown }).code
    if (code === 'ERR_BUFFER_TOO_LARGE') return { ok: false, reason: `the archive decompresses to more than ${MAX_TAR_BYTES} bytes` }
    return { ok: false, reason: 'the archive does not decompress' }
  }
  return { ok: false, reason: 'the archive is neither zstd nor gzip' }
}

const ZSTD_MAGIC = Buffer.from([0x28, 0xb5, 0x2f, 0xfd])

/** `../…/<our file name>`: only the number of `../` differs, which is a runner layout, not an attack. */
function isOurFileElsewhere(name: string, expectedName: string): boolean {
  const base = expectedName.slice(expectedName.lastIndexOf('/') + 1)
  return new RegExp(`^(\\.\\./)*${base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`).test(name)
}
