// The registration entry's text from the Actions cache, without @actions/cache and without
// extracting anything: look up the newest entry under the prefix (cache-lookup.ts), download its
// archive into memory (archive-download.ts), and take the one file out of it (entry-archive.ts).
// @actions/cache would instead unpack the archive with `tar -xf … -P` before anyone could check
// it, so whoever can write the cache could overwrite any file the runner user can
// (SECURITY.md, "Cache poisoning"). Here nothing the entry says reaches the filesystem.
import { ArchiveTooLargeError, downloadArchive } from './archive-download.js'
import { lookUpCacheEntry } from './cache-lookup.js'
import { cacheVersion, compressionMethodOfThisRunner } from './cache-version.js'
import { entryFromArchive, MAX_ARCHIVE_BYTES } from './entry-archive.js'

export interface EntryFetch {
  prefix: string
  /** The path as handed to @actions/cache on save: part of the version. */
  cachePath: string
  /** The registration file's name inside the archive (key.ts archivedFileName). */
  archivedName: string
  timeoutMs: number
  signal?: AbortSignal
}

export type FetchedEntry =
  | { status: 'miss' }
  | { status: 'found'; key: string; text: string }
  /** Not of the one shape this action writes: never used. `misplaced`: ours, from a runner of another layout. */
  | { status: 'refused'; key: string; reason: string; misplaced: boolean }

/** Throws what the service or the network did wrong (CacheServiceError, NetworkError, …); a bad archive is `refused`. */
export async function fetchEntry(request: EntryFetch): Promise<FetchedEntry> {
  const started = Date.now()
  const left = (): number => Math.max(1, request.timeoutMs - (Date.now() - started))
  const signal = request.signal ? { signal: request.signal } : {}
  const version = cacheVersion([request.cachePath], compressionMethodOfThisRunner())
  const found = await lookUpCacheEntry({ prefix: request.prefix, version, timeoutMs: left(), ...signal })
  if (!found.found) return { status: 'miss' }

  let archive: Buffer
  try {
    archive = await downloadArchive({ url: found.archiveUrl, maxBytes: MAX_ARCHIVE_BYTES, timeoutMs: left(), ...signal })
  } catch (error) {
    if (error instanceof ArchiveTooLargeError) return { status: 'refused', key: found.matchedKey, reason: error.message, misplaced: false }
    throw error
  }
  const entry = entryFromArchive(archive, request.archivedName)
  if (!entry.ok) return { status: 'refused', key: found.matchedKey, reason: entry.reason, misplaced: entry.misplaced === true }
  return { status: 'found', key: found.matchedKey, text: entry.text }
}
