// The `version` an Actions cache entry is saved and looked up under. The service matches it
// exactly, so a restore must compute what @actions/cache computed when it saved the entry
// (docs/protocol.md §6): sha256 of the cache paths exactly as passed, the compression method,
// `windows-only` on Windows (unless cross-OS archives are enabled, which this action never
// does), and the library's salt `1.0`, joined by `|`.
import { createHash } from 'node:crypto'
import { accessSync, constants as fsConstants, statSync } from 'node:fs'
import { delimiter, join } from 'node:path'

/** The methods @actions/cache names in versions: `zstd` (with --long=30, older versions), `zstd-without-long`, `gzip`. */
export type CompressionMethod = 'zstd' | 'zstd-without-long' | 'gzip'

const VERSION_SALT = '1.0'

export function cacheVersion(paths: readonly string[], method: CompressionMethod, platform: NodeJS.Platform = process.platform): string {
  const components = [...paths, method]
  if (platform === 'win32') components.push('windows-only')
  components.push(VERSION_SALT)
  return createHash('sha256').update(components.join('|')).digest('hex')
}

/**
 * The method saveCache on this runner uses, and so the version the entries this runner's jobs
 * saved carry: @actions/cache 6 runs `zstd --quiet --version` and compresses with zstd (without
 * long mode) when that prints anything, with gzip otherwise. A `zstd` executable on PATH is what
 * makes it print; looking for one costs a few stat calls instead of a child process before the prompt.
 */
export function compressionMethodOfThisRunner(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform
): CompressionMethod {
  return isOnPath('zstd', env, platform) ? 'zstd-without-long' : 'gzip'
}

/** Whether `command` resolves on PATH as @actions/io's which() resolves it (PATHEXT on Windows, an executable file elsewhere). */
function isOnPath(command: string, env: NodeJS.ProcessEnv, platform: NodeJS.Platform): boolean {
  const pathVariable = platform === 'win32' ? (env.Path ?? env.PATH ?? '') : (env.PATH ?? '')
  const separator = platform === 'win32' ? ';' : delimiter
  const extensions = platform === 'win32' ? (env.PATHEXT ?? '.EXE;.CMD;.BAT;.COM').split(';').filter(Boolean) : ['']
  for (const directory of pathVariable.split(separator)) {
    if (directory === '') continue
    for (const extension of extensions) {
      const candidate = join(directory, command + extension)
      try {
        if (!statSync(candidate).isFile()) continue
        if (platform !== 'win32') accessSync(candidate, fsConstants.X_OK)
        return true
      } catch {
        // Not here: the next directory.
      }
    }
  }
  return false
}
