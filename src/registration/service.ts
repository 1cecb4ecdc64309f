// Whether this step can reach the Actions cache service, decided from the environment alone so the
// answer costs nothing: @actions/cache is several megabytes and is loaded only when this says yes.
//
// The rules mirror @actions/cache 6 (internal/config.ts, cache.ts isFeatureAvailable), plus the
// runtime token, without which v2 throws instead of reporting a miss:
// - GitHub Enterprise Server (GITHUB_SERVER_URL not github.com, *.ghe.com or *.localhost) always
//   uses the v1 REST service at ACTIONS_CACHE_URL, even when ACTIONS_CACHE_SERVICE_V2 is set.
// - Otherwise a non-empty ACTIONS_CACHE_SERVICE_V2 selects the v2 (Twirp) service at
//   ACTIONS_RESULTS_URL; without it, v1 at ACTIONS_CACHE_URL.
// - ACTIONS_CACHE_MODE (none/read/write/write-only) may forbid reads or writes; unknown values allow both.
// The runner gives these variables to node actions only, never to `run:` steps.

type Env = Record<string, string | undefined>

export type CacheServiceProtocol = 'v1' | 'v2'

/** The protocol @actions/cache will speak, or undefined when GITHUB_SERVER_URL is not a URL (it would throw). */
export function cacheServiceProtocol(env: Env = process.env): CacheServiceProtocol | undefined {
  let host: string
  try {
    host = new URL(env.GITHUB_SERVER_URL || 'https://github.com').hostname.trimEnd().toUpperCase()
  } catch {
    return undefined
  }
  const isGhes = host !== 'GITHUB.COM' && !host.endsWith('.GHE.COM') && !host.endsWith('.LOCALHOST')
  if (isGhes) return 'v1'
  return env.ACTIONS_CACHE_SERVICE_V2 ? 'v2' : 'v1'
}

/** True when @actions/cache has a service URL and a token to use in this environment. */
export function isCacheServiceAvailable(env: Env = process.env): boolean {
  const protocol = cacheServiceProtocol(env)
  if (protocol === undefined || !env.ACTIONS_RUNTIME_TOKEN) return false
  return protocol === 'v2' ? Boolean(env.ACTIONS_RESULTS_URL) : Boolean(env.ACTIONS_CACHE_URL)
}

const KNOWN_CACHE_MODES = ['none', 'read', 'write', 'write-only']

function cacheMode(env: Env): string {
  return (env.ACTIONS_CACHE_MODE ?? '').trim().toLowerCase()
}

/** Whether the runner's cache mode allows restoring (unset or unknown modes allow it). */
export function isCacheReadable(env: Env = process.env): boolean {
  const mode = cacheMode(env)
  return !KNOWN_CACHE_MODES.includes(mode) || mode === 'read' || mode === 'write'
}

/** Whether the runner's cache mode allows saving (unset or unknown modes allow it). */
export function isCacheWritable(env: Env = process.env): boolean {
  const mode = cacheMode(env)
  return !KNOWN_CACHE_MODES.includes(mode) || mode === 'write' || mode === 'write-only'
}
