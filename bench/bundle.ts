// What dist/ holds, read from the committed bundle: its size, the size of the main chunk (what
// Node parses before the first AWS call), and where the libraries sit. The levers behind the time
// to prompt are structural, so they are checked here rather than timed:
// - one copy of undici per entry (@actions/core loads it through @actions/http-client; the
//   action's own AWS calls must use that copy, not bundle a second one);
// - the heavy libraries that only some runs need (@actions/github, the QR code library) only in
//   chunks of their own, which ncc emits for a dynamic `import()`;
// - @actions/cache nowhere: the action restores and saves the cache with its own requests
//   (src/registration/entry-fetch.ts, entry-save.ts), the library is a dev dependency for the tests.
// Each library is recognised by a string from its own code (ncc keeps comments, so names that
// appear in this repository's comments or imports would not do); staleMarkers() proves each
// string is still in the installed library, so a library update cannot make a check vacuous.
import { readFileSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'

export interface LibraryMarker {
  /** The npm package, as imported. */
  library: string
  /** A file of the installed package, relative to node_modules, that holds `marker`. */
  source: string
  /** A string of the library's code, present once per bundled copy. */
  marker: string
}

/** Loaded with import() only when used: never in the main chunk. */
export const LAZY_LIBRARIES: readonly LibraryMarker[] = [
  { library: '@actions/github', source: '@octokit/core/dist-src/index.js', marker: 'octokit-core.js/' },
  { library: 'uqr', source: 'uqr/dist/index.mjs', marker: 'QrCodeDataType' }
]

/** Never bundled at all. */
export const ABSENT_LIBRARIES: readonly LibraryMarker[] = [
  { library: '@actions/cache', source: '@actions/cache/lib/internal/cacheHttpClient.js', marker: 'Cache Service Url not found' }
]

/** Must be bundled exactly once. */
export const UNDICI: LibraryMarker = {
  library: 'undici',
  source: 'undici/lib/dispatcher/agent.js',
  marker: 'class Agent extends DispatcherBase'
}

export interface ChunkInfo {
  /** Path relative to dist/. */
  file: string
  bytes: number
}

export interface BundleReport {
  /** Every file under dist/, licenses and package.json included. */
  totalBytes: number
  /** dist/index.js: parsed and run before the prompt. */
  mainChunkBytes: number
  /** The JavaScript files of dist/, the main chunk first. */
  chunks: ChunkInfo[]
  /**
   * Copies of undici per entry (the main step's `index.js`, the post step's `post/index.js`), each
   * counted over the entry and the chunks beside it: one process loads one entry and its chunks.
   */
  undiciCopies: Record<string, number>
  /** Per lazy library: the chunks that hold it (empty when no code path uses it yet). */
  lazyLibraries: { library: string; chunks: string[]; inMainChunk: boolean }[]
  /** Per library that must not be bundled: the chunks that hold it all the same (should be none). */
  absentLibraries: { library: string; chunks: string[] }[]
}

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const relative = prefix ? `${prefix}/${entry.name}` : entry.name
    return entry.isDirectory() ? filesUnder(join(dir, entry.name), relative) : [relative]
  })
}

function occurrences(text: string, marker: string): number {
  return text.split(marker).length - 1
}

/** Reads dist/ as committed; `mainChunk` is runs.main relative to dist/. */
export function inspectBundle(distDir: string, mainChunk = 'index.js'): BundleReport {
  const files = filesUnder(distDir).sort()
  const totalBytes = files.reduce((sum, file) => sum + statSync(join(distDir, file)).size, 0)
  const scripts = files.filter((file) => /\.(m?js|cjs)$/.test(file))
  if (!scripts.includes(mainChunk)) throw new Error(`${join(distDir, mainChunk)} does not exist: run \`npm run bundle\``)
  const ordered = [mainChunk, ...scripts.filter((file) => file !== mainChunk)]
  const texts = new Map(ordered.map((file) => [file, readFileSync(join(distDir, file), 'utf8')]))
  return {
    totalBytes,
    mainChunkBytes: statSync(join(distDir, mainChunk)).size,
    chunks: ordered.map((file) => ({ file, bytes: statSync(join(distDir, file)).size })),
    undiciCopies: Object.fromEntries(
      ordered
        .filter((file) => file === 'index.js' || file.endsWith('/index.js'))
        .map((entry) => {
          const dir = entry.slice(0, -'index.js'.length)
          const own = ordered.filter((file) => file.startsWith(dir) && !file.slice(dir.length).includes('/'))
          return [entry, own.reduce((sum, file) => sum + occurrences(texts.get(file)!, UNDICI.marker), 0)]
        })
    ),
    lazyLibraries: LAZY_LIBRARIES.map(({ library, marker }) => {
      const chunks = ordered.filter((file) => texts.get(file)!.includes(marker))
      return { library, chunks, inMainChunk: chunks.includes(mainChunk) }
    }),
    absentLibraries: ABSENT_LIBRARIES.map(({ library, marker }) => ({
      library,
      chunks: ordered.filter((file) => texts.get(file)!.includes(marker))
    }))
  }
}

/** The markers whose string is missing from the installed library (should be none). */
export function staleMarkers(nodeModules: string): LibraryMarker[] {
  return [UNDICI, ...LAZY_LIBRARIES, ...ABSENT_LIBRARIES].filter(({ source, marker }) => {
    try {
      return !readFileSync(join(nodeModules, source), 'utf8').includes(marker)
    } catch {
      return true
    }
  })
}
