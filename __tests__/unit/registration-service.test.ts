import { afterEach, describe, expect, it } from '@jest/globals'
import { cacheServiceProtocol, isCacheReadable, isCacheServiceAvailable, isCacheWritable } from '../../src/registration/service.js'

const cache = await import('@actions/cache')

const token = { ACTIONS_RUNTIME_TOKEN: 'runtime-token' }
const v2 = { ...token, ACTIONS_CACHE_SERVICE_V2: 'True', ACTIONS_RESULTS_URL: 'https://results-receiver.actions.githubusercontent.com/' }
const v1 = { ...token, ACTIONS_CACHE_URL: 'https://artifactcache.actions.githubusercontent.com/abc/' }

describe('whether the Actions cache service is available', () => {
  it.each<[string, Record<string, string>, 'v1' | 'v2' | undefined, boolean]>([
    ['github.com with the v2 flag and a results URL', v2, 'v2', true],
    ['github.com with the v2 flag but no results URL', { ...v2, ACTIONS_RESULTS_URL: '' }, 'v2', false],
    [
      'the v2 flag with only a v1 URL (the library would look for ACTIONS_RESULTS_URL)',
      { ...token, ACTIONS_CACHE_SERVICE_V2: 'True', ACTIONS_CACHE_URL: v1.ACTIONS_CACHE_URL },
      'v2',
      false
    ],
    ['no v2 flag, a v1 URL', v1, 'v1', true],
    ['GHES: v1 even with the v2 flag', { ...v2, ...v1, GITHUB_SERVER_URL: 'https://ghes.example.com' }, 'v1', true],
    ['GHES without a v1 URL', { ...v2, GITHUB_SERVER_URL: 'https://ghes.example.com' }, 'v1', false],
    ['GHE.com data residency: still v2', { ...v2, GITHUB_SERVER_URL: 'https://octo.ghe.com' }, 'v2', true],
    ['no runtime token', { ...v2, ACTIONS_RUNTIME_TOKEN: '' }, 'v2', false],
    ['a `run:` step or a local run: nothing set', {}, 'v1', false],
    ['an unparsable GITHUB_SERVER_URL (the library would throw)', { ...v2, GITHUB_SERVER_URL: 'not a url' }, undefined, false]
  ])('%s', (_name, env, protocol, available) => {
    expect(cacheServiceProtocol(env)).toBe(protocol)
    expect(isCacheServiceAvailable(env)).toBe(available)
    expect(isCacheServiceAvailable(env)).toBe(libraryVerdict(env))
  })
})

const LIBRARY_VARIABLES = [
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_CACHE_URL',
  'GITHUB_SERVER_URL'
]
const saved = Object.fromEntries(LIBRARY_VARIABLES.map((name) => [name, process.env[name]]))
afterEach(() => {
  for (const [name, value] of Object.entries(saved)) {
    if (value === undefined) delete process.env[name]
    else process.env[name] = value
  }
})

/** What the installed @actions/cache itself says (plus the token it needs), to keep the mirror honest. */
function libraryVerdict(env: Record<string, string>): boolean {
  for (const name of LIBRARY_VARIABLES) delete process.env[name]
  Object.assign(process.env, env)
  try {
    return cache.isFeatureAvailable() && Boolean(env.ACTIONS_RUNTIME_TOKEN)
  } catch {
    return false
  }
}

describe('the runner cache mode', () => {
  it.each([
    [undefined, true, true],
    ['', true, true],
    ['read', true, false],
    ['write', true, true],
    ['write-only', false, true],
    [' NONE ', false, false],
    ['something-new', true, true]
  ])('ACTIONS_CACHE_MODE=%p allows reading: %p, writing: %p', (mode, readable, writable) => {
    const env = mode === undefined ? {} : { ACTIONS_CACHE_MODE: mode }
    expect(isCacheReadable(env)).toBe(readable)
    expect(isCacheWritable(env)).toBe(writable)
  })
})
