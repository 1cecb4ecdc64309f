// restoreRegistration and saveRegistration in this process, with the entry lookup and the entry
// save (the action's own requests) replaced by fakes: every decision of the cache module (when to ask, which key,
// which bound, what each outcome costs: a debug line, one warning, the registration) and every
// line it prints. The real service and library are driven by __tests__/cache, in child processes.
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import * as os from 'node:os'
import { getEventListeners } from 'node:events'
import { join } from 'node:path'
import type { ClientRegistration } from '../../src/oidc/types.js'
import type { EntryFetch, FetchedEntry } from '../../src/registration/entry-fetch.js'
import type { EntrySave, EntrySaveResult } from '../../src/registration/entry-save.js'

// Jest gives each test file a copy of process.env, which os.homedir() does not read: HOME is faked here.
let home = ''
jest.unstable_mockModule('node:os', () => ({ ...os, default: { ...os, homedir: () => home }, homedir: () => home }))
const fetchEntry = jest.fn<(request: EntryFetch) => Promise<FetchedEntry>>()
jest.unstable_mockModule('../../src/registration/entry-fetch.js', () => ({ fetchEntry }))
const saveCacheEntry = jest.fn<(save: EntrySave) => Promise<EntrySaveResult>>()
jest.unstable_mockModule('../../src/registration/entry-save.js', () => ({ saveCacheEntry }))
const log: string[] = []
const record = (kind: string) => (message: string) => void log.push(`${kind}: ${message}`)
jest.unstable_mockModule('@actions/core', () => ({
  debug: jest.fn(record('debug')),
  info: jest.fn(record('info')),
  warning: jest.fn(record('core.warning')),
  error: jest.fn(record('error')),
  notice: jest.fn(record('notice')),
  setSecret: jest.fn(record('mask')),
  isDebug: () => false
}))

const { restoreRegistration, saveRegistration, DEFAULT_RESTORE_TIMEOUT_MS, DEFAULT_SAVE_TIMEOUT_MS, MIN_REMAINING_VALIDITY_MS } =
  await import('../../src/registration/cache.js')
const { encodeEntry, decodeEntry } = await import('../../src/registration/entry.js')
const { identityDigest, registrationKey, registrationKeyPrefix, REGISTRATION_CACHE_PATH, archivedFileName } =
  await import('../../src/registration/key.js')
const { cacheVersion, compressionMethodOfThisRunner } = await import('../../src/registration/cache-version.js')
const { entryFromArchive } = await import('../../src/registration/entry-archive.js')

const NOW = Date.UTC(2030, 0, 1)
const identity = {
  startUrl: 'https://d-1234567890.awsapps.com/start',
  region: 'eu-west-1',
  scopes: ['sso:account:access'],
  clientName: 'GitHub Actions octo/app'
}
const registration: ClientRegistration = {
  clientId: 'client-id-1',
  clientSecret: 'client-secret-that-is-long-enough',
  clientIdIssuedAt: Math.floor(NOW / 1000) - 3600,
  clientSecretExpiresAt: Math.floor(NOW / 1000) + 90 * 24 * 3600,
  scopes: ['sso:account:access'],
  clientName: 'GitHub Actions octo/app'
}
const SKIP = 'a new client will be registered'
const PLAIN_PREFIX = registrationKeyPrefix(identity, false)
const KEY = `${PLAIN_PREFIX}1893452400`

let warnings: string[]
const saved: Record<string, string | undefined> = {}
const ENV = [
  'ACTIONS_RUNTIME_TOKEN',
  'ACTIONS_CACHE_SERVICE_V2',
  'ACTIONS_RESULTS_URL',
  'ACTIONS_CACHE_URL',
  'ACTIONS_CACHE_MODE',
  'GITHUB_SERVER_URL',
  'GITHUB_WORKSPACE'
]

beforeEach(() => {
  for (const name of ENV) saved[name] = process.env[name]
  home = mkdtempSync(join(os.tmpdir(), 'registration-cache-unit-'))
  mkdirSync(join(home, 'work', 'repo', 'repo'), { recursive: true })
  Object.assign(process.env, {
    ACTIONS_RUNTIME_TOKEN: 'runtime-token',
    ACTIONS_CACHE_SERVICE_V2: 'true',
    ACTIONS_RESULTS_URL: 'http://127.0.0.1:9/',
    GITHUB_WORKSPACE: join(home, 'work', 'repo', 'repo')
  })
  delete process.env.ACTIONS_CACHE_MODE
  delete process.env.GITHUB_SERVER_URL
  delete process.env.ACTIONS_CACHE_URL
  log.length = 0
  warnings = []
  fetchEntry.mockReset()
  saveCacheEntry.mockReset()
})

afterEach(() => {
  for (const name of ENV) {
    if (saved[name] === undefined) delete process.env[name]
    else process.env[name] = saved[name]
  }
  rmSync(home, { recursive: true, force: true })
})

const options = (extra: Record<string, unknown> = {}) => ({
  ...identity,
  onWarning: (message: string) => void warnings.push(message),
  ...extra
})
const found = async (entry: ClientRegistration = registration, key?: string): Promise<FetchedEntry> => ({
  status: 'found',
  key: KEY,
  text: await encodeEntry(entry, identityDigest(identity), key)
})
const hang = () => new Promise<never>(() => undefined)

describe('restoreRegistration', () => {
  it('asks for the newest entry under the plain prefix, with the bound and the archived name, and returns it masked', async () => {
    fetchEntry.mockResolvedValue(await found())

    await expect(restoreRegistration(options(), NOW)).resolves.toEqual({ status: 'restored', registration })

    expect(fetchEntry).toHaveBeenCalledTimes(1)
    const request = fetchEntry.mock.calls[0]![0]
    expect(request).toEqual({
      prefix: PLAIN_PREFIX,
      cachePath: REGISTRATION_CACHE_PATH,
      archivedName: archivedFileName(),
      timeoutMs: DEFAULT_RESTORE_TIMEOUT_MS,
      signal: expect.any(AbortSignal)
    })
    expect(request.archivedName).toBe('../../../.aws-sso-device-auth-registration.json')
    expect(request.signal?.aborted).toBe(false)
    expect(log).toContain(`mask: ${registration.clientSecret}`)
    expect(log).toContain('info: Reusing the cached OIDC client registration client-id-1, valid until 2030-04-01T00:00:00Z.')
    expect(warnings).toEqual([])
  })

  it('uses the encrypted prefix and the key when one is given, and the plain prefix for an empty key', async () => {
    fetchEntry.mockResolvedValue({ status: 'miss' })
    await restoreRegistration(options({ encryptionKey: 'secret' }), NOW)
    await restoreRegistration(options({ encryptionKey: '' }), NOW)

    expect(fetchEntry.mock.calls.map(([request]) => request.prefix)).toEqual([registrationKeyPrefix(identity, true), PLAIN_PREFIX])
  })

  it('decrypts an encrypted entry with the key', async () => {
    fetchEntry.mockResolvedValue(await found(registration, 'secret'))
    await expect(restoreRegistration(options({ encryptionKey: 'secret' }), NOW)).resolves.toEqual({ status: 'restored', registration })
  })

  it('bounds the lookup by restoreTimeoutMs, by limitMs and by what is left before the deadline, at least 1 ms', async () => {
    fetchEntry.mockResolvedValue({ status: 'miss' })
    await restoreRegistration(options({ restoreTimeoutMs: 4000 }), NOW)
    await restoreRegistration(options({ restoreTimeoutMs: 4000, limitMs: 2500 }), NOW)
    await restoreRegistration(options({ deadline: Date.now() + 60_000, limitMs: 3000 }), NOW)
    await restoreRegistration(options({ deadline: Date.now() + 1500.9 }), NOW)
    await restoreRegistration(options({ deadline: Date.now() - 5000 }), NOW)

    const bounds = fetchEntry.mock.calls.map(([request]) => request.timeoutMs)
    expect(bounds.slice(0, 3)).toEqual([4000, 2500, 3000])
    expect(bounds[3]).toBeGreaterThan(1000)
    expect(bounds[3]).toBeLessThanOrEqual(1500)
    expect(Number.isInteger(bounds[3])).toBe(true)
    expect(bounds[4]).toBe(1)
  })

  it('does not ask when the service is unavailable or the cache mode forbids reading: a debug line, no warning', async () => {
    delete process.env.ACTIONS_RUNTIME_TOKEN
    await expect(restoreRegistration(options(), NOW)).resolves.toEqual({ status: 'not-restored' })
    process.env.ACTIONS_RUNTIME_TOKEN = 'runtime-token'
    process.env.ACTIONS_CACHE_MODE = 'write-only'
    await expect(restoreRegistration(options(), NOW)).resolves.toEqual({ status: 'not-restored' })

    expect(fetchEntry).not.toHaveBeenCalled()
    expect(warnings).toEqual([])
    expect(log).toEqual([
      `debug: The Actions cache service is not available to this step; ${SKIP}.`,
      `debug: The runner's cache mode does not allow restoring; ${SKIP}.`
    ])
  })

  it('reads in the read mode', async () => {
    process.env.ACTIONS_CACHE_MODE = 'read'
    fetchEntry.mockResolvedValue({ status: 'miss' })
    await expect(restoreRegistration(options(), NOW)).resolves.toEqual({ status: 'not-restored' })
    expect(fetchEntry).toHaveBeenCalledTimes(1)
  })

  it('takes a miss as a debug line naming the prefix', async () => {
    fetchEntry.mockResolvedValue({ status: 'miss' })
    await expect(restoreRegistration(options(), NOW)).resolves.toEqual({ status: 'not-restored' })
    expect(log).toEqual([`debug: No cached OIDC client registration under ${PLAIN_PREFIX}*; ${SKIP}.`])
    expect(warnings).toEqual([])
  })

  it('gives up at its bound with one warning, and tears the lookup down', async () => {
    let seen: AbortSignal | undefined
    fetchEntry.mockImplementation((request) => ((seen = request.signal), hang()))
    await expect(restoreRegistration(options({ restoreTimeoutMs: 300 }), NOW)).resolves.toEqual({ status: 'timed-out' })
    expect(warnings).toEqual([`The Actions cache did not answer within 0.3 s; ${SKIP}.`])
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(seen?.aborted).toBe(true)
  })

  it('takes a lookup that fails as its bound tears it down as the same time-out', async () => {
    fetchEntry.mockImplementation(
      (request) =>
        new Promise((_resolve, reject) => request.signal?.addEventListener('abort', () => reject(new Error('aborted')), { once: true }))
    )
    await expect(restoreRegistration(options({ restoreTimeoutMs: 200 }), NOW)).resolves.toEqual({ status: 'timed-out' })
    expect(warnings).toEqual([`The Actions cache did not answer within 0.2 s; ${SKIP}.`])
  })

  it('stops without a warning when the run is cancelled, before or during the lookup', async () => {
    fetchEntry.mockImplementation(hang)
    const before = new AbortController()
    before.abort()
    await expect(restoreRegistration(options({ signal: before.signal }), NOW)).resolves.toEqual({ status: 'timed-out' })

    const during = new AbortController()
    setTimeout(() => during.abort(), 50)
    let seen: AbortSignal | undefined
    fetchEntry.mockImplementation((request) => ((seen = request.signal), hang()))
    await expect(restoreRegistration(options({ signal: during.signal }), NOW)).resolves.toEqual({ status: 'timed-out' })
    expect(seen?.aborted).toBe(true)
    expect(warnings).toEqual([])
  })

  it('leaves no listener on the run signal once done, whatever the outcome', async () => {
    const controller = new AbortController()
    fetchEntry.mockResolvedValueOnce({ status: 'miss' }).mockRejectedValueOnce(new Error('down'))
    await restoreRegistration(options({ signal: controller.signal }), NOW)
    await restoreRegistration(options({ signal: controller.signal }), NOW)
    saveCacheEntry.mockResolvedValue({ status: 'saved', entryId: '3' })
    await saveRegistration(registration, options({ signal: controller.signal }))
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0)
  })

  it('stops without a warning when the lookup fails because the run was cancelled', async () => {
    const controller = new AbortController()
    fetchEntry.mockImplementation(async () => {
      controller.abort()
      throw new Error('the request was aborted')
    })
    await expect(restoreRegistration(options({ signal: controller.signal }), NOW)).resolves.toEqual({ status: 'timed-out' })
    expect(warnings).toEqual([])
  })

  it('warns once, with the first line of the error, when the lookup fails', async () => {
    fetchEntry.mockRejectedValue(new Error('Cache service responded with 503\nat line two'))
    await expect(restoreRegistration(options(), NOW)).resolves.toEqual({ status: 'not-restored' })
    expect(warnings).toEqual([
      `Could not restore the OIDC client registration from the Actions cache (Cache service responded with 503); ${SKIP}.`
    ])
  })

  it('clips a long error to 300 characters, and prints a thrown non-error as text', async () => {
    fetchEntry.mockRejectedValueOnce(new Error('x'.repeat(301))).mockRejectedValueOnce('plain words')
    await restoreRegistration(options(), NOW)
    await restoreRegistration(options(), NOW)
    expect(warnings).toEqual([
      `Could not restore the OIDC client registration from the Actions cache (${'x'.repeat(297)}...); ${SKIP}.`,
      `Could not restore the OIDC client registration from the Actions cache (plain words); ${SKIP}.`
    ])
    fetchEntry.mockRejectedValueOnce(new Error('y'.repeat(300)))
    await restoreRegistration(options(), NOW)
    expect(warnings[2]).toBe(`Could not restore the OIDC client registration from the Actions cache (${'y'.repeat(300)}); ${SKIP}.`)
  })

  it('never throws: a failure outside the lookup is one warning too', async () => {
    fetchEntry.mockImplementation(() => {
      throw new Error('thrown at once')
    })
    await expect(restoreRegistration(options(), NOW)).resolves.toEqual({ status: 'not-restored' })
    expect(warnings).toEqual([`Could not use the Actions cache for the OIDC client registration (thrown at once); ${SKIP}.`])
  })

  it('refuses an entry of another shape with the reason and the advice, and one of another layout without the advice', async () => {
    fetchEntry.mockResolvedValueOnce({ status: 'refused', key: KEY, reason: 'the archive holds a symbolic link', misplaced: false })
    fetchEntry.mockResolvedValueOnce({ status: 'refused', key: KEY, reason: 'the file sits 4 levels up', misplaced: true })
    await expect(restoreRegistration(options(), NOW)).resolves.toEqual({ status: 'not-restored' })
    await expect(restoreRegistration(options(), NOW)).resolves.toEqual({ status: 'not-restored' })
    expect(warnings).toEqual([
      `Ignoring the cached OIDC client registration ${KEY}: the cache entry is not one this action wrote (the archive holds a symbolic link); ${SKIP}. ` +
        "If this repeats, someone may be writing to this repository's Actions cache: see SECURITY.md.",
      `The cached OIDC client registration ${KEY} was saved on a runner of another layout (the file sits 4 levels up); ${SKIP}.`
    ])
  })

  it('sanitises what the entry says before it reaches the warning', async () => {
    fetchEntry.mockResolvedValue({ status: 'refused', key: KEY, reason: 'evil\n::stop-commands::x\u202e', misplaced: false })
    await restoreRegistration(options(), NOW)
    expect(warnings).toHaveLength(1)
    expect(warnings[0]).toContain('(evil ::stop-commands::x)')
    expect(warnings[0]).not.toMatch(/[\n\u202e]/)
  })

  it('warns through core.warning when no sink is given', async () => {
    fetchEntry.mockRejectedValue(new Error('down'))
    const { onWarning: _unused, ...withoutSink } = options()
    await restoreRegistration(withoutSink, NOW)
    expect(log).toEqual([`core.warning: Could not restore the OIDC client registration from the Actions cache (down); ${SKIP}.`])
  })

  it('ignores an entry that does not decode, and advises on a changed key', async () => {
    fetchEntry.mockResolvedValueOnce({ status: 'found', key: KEY, text: '{"format":"something else"}' })
    await restoreRegistration(options(), NOW)
    fetchEntry.mockResolvedValueOnce(await found(registration, 'old key'))
    await restoreRegistration(options({ encryptionKey: 'new key' }), NOW)

    const detail = (await decodeEntry('{"format":"something else"}', identityDigest(identity), undefined, () => undefined)) as {
      detail: string
    }
    expect(warnings[0]).toBe(`Ignoring the cached OIDC client registration ${KEY}: ${detail.detail}; ${SKIP}.`)
    expect(warnings[1]).toMatch(
      new RegExp(
        `^Ignoring the cached OIDC client registration ${KEY}: .+; ${SKIP}\\. If cache-encryption-key was changed, this is expected once; the next save uses the new key\\.$`
      )
    )
    expect(warnings).toHaveLength(2)
  })

  it.each([
    ['another client name', { clientName: 'GitHub Actions octo/other' }],
    ['fewer scopes', { scopes: [] }],
    ['more scopes', { scopes: ['sso:account:access', 'codewhisperer:completions'] }],
    ['other scopes of the same number', { scopes: ['codewhisperer:completions'] }]
  ])('ignores a registration made for %s', async (_what, change) => {
    fetchEntry.mockResolvedValue(await found({ ...registration, ...change }))
    await expect(restoreRegistration(options(), NOW)).resolves.toEqual({ status: 'not-restored' })
    expect(warnings).toEqual([
      `Ignoring the cached OIDC client registration ${KEY}: it was made for other scopes or another client name; ${SKIP}.`
    ])
  })

  it('ignores a registration whose scopes share only the first of the same number', async () => {
    const scopes = ['a:first', 'b:second']
    fetchEntry.mockResolvedValue({
      status: 'found',
      key: KEY,
      text: await encodeEntry({ ...registration, scopes: ['a:first', 'c:third'] }, identityDigest({ ...identity, scopes }), undefined)
    })
    await expect(restoreRegistration(options({ scopes }), NOW)).resolves.toEqual({ status: 'not-restored' })
    expect(warnings).toEqual([
      `Ignoring the cached OIDC client registration ${KEY}: it was made for other scopes or another client name; ${SKIP}.`
    ])
  })

  it('reuses a registration whose scopes differ only in order and repeats', async () => {
    const scopes = ['b:scope', 'sso:account:access']
    fetchEntry.mockResolvedValue(await found({ ...registration, scopes: ['sso:account:access', 'b:scope', 'b:scope'] }))
    await expect(restoreRegistration(options({ scopes }), NOW)).resolves.toMatchObject({ status: 'restored' })
    expect(warnings).toEqual([])
  })

  it('does not reuse a registration that expires within 15 minutes, and reuses one a millisecond longer', async () => {
    const expiresAt = registration.clientSecretExpiresAt * 1000
    fetchEntry.mockResolvedValue(await found())
    await expect(restoreRegistration(options(), expiresAt - MIN_REMAINING_VALIDITY_MS)).resolves.toEqual({ status: 'not-restored' })
    expect(log).toContain(
      `debug: The cached OIDC client registration client-id-1 expires at 2030-04-01T00:00:00Z, within 15 minutes; ${SKIP}.`
    )
    await expect(restoreRegistration(options(), expiresAt - MIN_REMAINING_VALIDITY_MS - 1)).resolves.toMatchObject({ status: 'restored' })
    expect(warnings).toEqual([])
    expect(MIN_REMAINING_VALIDITY_MS).toBe(15 * 60 * 1000)
  })

  it('defaults now to the clock', async () => {
    fetchEntry.mockResolvedValue(await found({ ...registration, clientSecretExpiresAt: Math.floor(Date.now() / 1000) + 60 }))
    await expect(restoreRegistration(options())).resolves.toEqual({ status: 'not-restored' })
    fetchEntry.mockResolvedValue(await found({ ...registration, clientSecretExpiresAt: Math.floor(Date.now() / 1000) + 3600 }))
    await expect(restoreRegistration(options())).resolves.toMatchObject({ status: 'restored' })
  })
})

describe('saveRegistration', () => {
  const file = () => join(home, '.aws-sso-device-auth-registration.json')
  const key = () => registrationKey(PLAIN_PREFIX, registration)
  const SAVED: EntrySaveResult = { status: 'saved', entryId: '42' }
  /** The entry text inside the archive the save was handed, read as the restore reads it. */
  const entryText = (call = 0): string => {
    const { archive } = saveCacheEntry.mock.calls[call]![0]
    const read = entryFromArchive(archive, archivedFileName())
    if (!read.ok) throw new Error(`the archive does not read back: ${JSON.stringify(read)}`)
    return read.text
  }

  it("saves the entry, archived in memory, under its own key and this runner's version; no file is written", async () => {
    saveCacheEntry.mockResolvedValue(SAVED)
    writeFileSync(file(), 'left over by an older version', { mode: 0o644 })

    await saveRegistration(registration, options())

    expect(saveCacheEntry).toHaveBeenCalledTimes(1)
    const request = saveCacheEntry.mock.calls[0]![0]
    expect(request.key).toBe(key())
    expect(request.version).toBe(cacheVersion([REGISTRATION_CACHE_PATH], compressionMethodOfThisRunner()))
    expect(await decodeEntry(entryText(), identityDigest(identity), undefined, () => undefined)).toEqual({ ok: true, registration })
    // The file an older version left is not what the save reads: it is untouched, and none is made.
    expect(readFileSync(file(), 'utf8')).toBe('left over by an older version')
    expect(log).toContain(`info: Saved the OIDC client registration to the Actions cache as ${key()}.`)
    expect(warnings).toEqual([])
  })

  it('encrypts with the key under the encrypted prefix', async () => {
    saveCacheEntry.mockResolvedValue(SAVED)
    await saveRegistration(registration, options({ encryptionKey: 'secret' }))

    expect(saveCacheEntry.mock.calls[0]![0].key).toBe(registrationKey(registrationKeyPrefix(identity, true), registration))
    expect(entryText()).not.toContain(registration.clientSecret)
    expect(await decodeEntry(entryText(), identityDigest(identity), 'secret', () => undefined)).toEqual({ ok: true, registration })
  })

  it('does not save when the service is unavailable or the cache mode forbids writing', async () => {
    delete process.env.ACTIONS_RUNTIME_TOKEN
    await saveRegistration(registration, options())
    process.env.ACTIONS_RUNTIME_TOKEN = 'runtime-token'
    process.env.ACTIONS_CACHE_MODE = 'read'
    await saveRegistration(registration, options())

    expect(saveCacheEntry).not.toHaveBeenCalled()
    expect(warnings).toEqual([])
    expect(log).toEqual([
      'debug: The Actions cache service is not available to this step; the OIDC client registration is not saved.',
      "debug: The runner's cache mode does not allow saving; the OIDC client registration is not saved."
    ])
  })

  it('saves in the write-only mode', async () => {
    process.env.ACTIONS_CACHE_MODE = 'write-only'
    saveCacheEntry.mockResolvedValue(SAVED)
    await saveRegistration(registration, options())
    expect(saveCacheEntry).toHaveBeenCalledTimes(1)
  })

  it('gives up at its bound with one warning, and ends the requests with it', async () => {
    let signal: AbortSignal | undefined
    saveCacheEntry.mockImplementation((request) => ((signal = request.signal), hang()))
    await saveRegistration(registration, options({ saveTimeoutMs: 300 }))
    expect(warnings).toEqual(['The Actions cache did not take the OIDC client registration within 0.3 s; it is not saved.'])
    expect(saveCacheEntry.mock.calls[0]![0].timeoutMs).toBe(300)
    // The signal the requests carry is aborted by the deadline: they are torn down, not left to run.
    await new Promise((resolve) => setTimeout(resolve, 50))
    expect(signal?.aborted).toBe(true)
  })

  it('gives up without a warning when the run is cancelled', async () => {
    const controller = new AbortController()
    saveCacheEntry.mockImplementation(() => (controller.abort(), hang()))
    await saveRegistration(registration, options({ signal: controller.signal }))
    expect(warnings).toEqual([])
    expect(log.filter((line) => !line.startsWith('debug:'))).toEqual([])
  })

  it("tears the save's requests down when the run is cancelled, and takes a save that fails from it as the cancellation", async () => {
    const controller = new AbortController()
    let requestSignal: AbortSignal | undefined
    saveCacheEntry.mockImplementation(({ signal }) => {
      requestSignal = signal
      controller.abort()
      // The request fails because the cancellation tore it down: no warning either.
      return Promise.reject(new Error('the request was aborted'))
    })
    await saveRegistration(registration, options({ signal: controller.signal }))
    expect(requestSignal?.aborted).toBe(true)
    expect(warnings).toEqual([])
  })

  it('warns once, with the first line of the reason, when the service or the network fails', async () => {
    saveCacheEntry.mockRejectedValue(new Error('CreateCacheEntry answered HTTP 500\n::stop-commands::x'))
    await saveRegistration(registration, options())
    expect(warnings).toEqual(['Could not save the OIDC client registration to the Actions cache (CreateCacheEntry answered HTTP 500).'])
    expect(log.some((line) => line.startsWith('info: Saved'))).toBe(false)
  })

  it('takes a duplicate key as another job having saved first: a debug line', async () => {
    saveCacheEntry.mockResolvedValue({ status: 'exists' })
    await saveRegistration(registration, options())
    expect(log).toEqual([`debug: The Actions cache already holds ${key()} (another job saved it first); nothing to do.`])
    expect(warnings).toEqual([])
  })

  it('bounds the save by saveTimeoutMs by default 15 s', () => {
    expect(DEFAULT_SAVE_TIMEOUT_MS).toBe(15_000)
    expect(DEFAULT_RESTORE_TIMEOUT_MS).toBe(10_000)
  })
})
