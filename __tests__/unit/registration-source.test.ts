// RegistrationSource decides between the cached registration and RegisterClient, and when to save.
// The cache functions are module fakes here (their own tests drive the real @actions/cache); what
// is checked is the decision, the order of the log lines, and that a save never blocks obtain().
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals'
import { existsSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ClientRegistration } from '../../src/oidc/types.js'
import type { RegistrationCacheOptions, RestoreResult } from '../../src/registration/cache.js'
import { tempDir } from '../support/temp.js'
import { captureStdout } from '../support/capture.js'
import { FIXED_ISSUED_AT, registration as fixedRegistration } from '../support/registrations.js'

const restoreRegistration = jest.fn<(options: RegistrationCacheOptions) => Promise<RestoreResult>>()
const saveRegistration = jest.fn<(registration: ClientRegistration, options: RegistrationCacheOptions) => Promise<void>>()
jest.unstable_mockModule('../../src/registration/cache.js', () => ({
  restoreRegistration,
  saveRegistration,
  isCacheServiceAvailable: () => process.env.ACTIONS_RUNTIME_TOKEN !== undefined
}))
const { RegistrationSource } = await import('../../src/registration/index.js')

// Each registered client is issued a second after the one before.
const registration = (n: number): ClientRegistration => fixedRegistration(n, { clientIdIssuedAt: FIXED_ISSUED_AT + n })

const wanted = {
  startUrl: 'https://d-1234567890.awsapps.com/start',
  region: 'eu-west-1',
  clientName: 'GitHub Actions octo/app',
  scopes: ['sso:account:access']
}
const registerClient = jest.fn<(request: { clientName: string; scopes: string[] }) => Promise<ClientRegistration>>()

let stdout: string[]
let home: string
let cacheFile: string
beforeEach(() => {
  home = tempDir('registration-source')
  cacheFile = join(home, '.aws-sso-device-auth-registration.json')
  stdout = captureStdout().lines
  let registered = 0
  registerClient.mockImplementation(async () => registration(++registered))
  restoreRegistration.mockResolvedValue({ status: 'not-restored' })
  saveRegistration.mockResolvedValue(undefined)
})

afterEach(() => {
  jest.restoreAllMocks()
  delete process.env.ACTIONS_RUNTIME_TOKEN
  rmSync(home, { recursive: true, force: true })
})

function source(cache: { enabled: boolean; encryptionKey?: string }, retrying?: <T>(call: () => Promise<T>) => Promise<T>) {
  return new RegistrationSource({ client: { registerClient }, wanted, cache, cacheFile, ...(retrying ? { retrying } : {}) })
}

const lines = (prefix: string) => stdout.filter((line) => line.startsWith(prefix)).map((line) => line.slice(prefix.length))

/** A promise settled from outside, to hold a save open. */
function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void
  const promise = new Promise<void>((done) => (resolve = done))
  return { promise, resolve }
}

describe('RegistrationSource', () => {
  it("bounds the cache by the flow's deadline and cancellation", async () => {
    const controller = new AbortController()
    const registrations = new RegistrationSource({
      client: { registerClient },
      wanted,
      cache: { enabled: true },
      cacheFile,
      deadline: 1_234,
      signal: controller.signal
    })
    await registrations.obtain()
    await registrations.finishSaving({ wait: true })
    expect(restoreRegistration).toHaveBeenCalledWith(expect.objectContaining({ deadline: 1_234, signal: controller.signal }))
    expect(saveRegistration).toHaveBeenCalledWith(registration(1), expect.objectContaining({ deadline: 1_234, signal: controller.signal }))
  })

  it('reuses a restored registration: no RegisterClient, no save', async () => {
    restoreRegistration.mockResolvedValue({ status: 'restored', registration: registration(7) })
    const registrations = source({ enabled: true, encryptionKey: 'k3y' })

    await expect(registrations.obtain()).resolves.toEqual(registration(7))
    await registrations.finishSaving({ wait: true })

    expect(registerClient).not.toHaveBeenCalled()
    expect(saveRegistration).not.toHaveBeenCalled()
    expect(restoreRegistration).toHaveBeenCalledWith(expect.objectContaining({ ...wanted, encryptionKey: 'k3y' }))
  })

  it('registers when nothing is restored, masks the secret first, and saves without making obtain() wait', async () => {
    const save = deferred()
    saveRegistration.mockReturnValue(save.promise)
    const registrations = source({ enabled: true })

    const obtained = await registrations.obtain()

    expect(obtained).toEqual(registration(1))
    expect(stdout[0]).toBe('::add-mask::client-secret-1')
    expect(saveRegistration).toHaveBeenCalledWith(registration(1), expect.objectContaining(wanted))
    let settled = false
    const settling = registrations.finishSaving({ wait: true }).then(() => (settled = true))
    await new Promise((resolve) => setImmediate(resolve))
    expect(settled).toBe(false)
    save.resolve()
    await settling
    expect(settled).toBe(true)
  })

  it('with the cache off, neither restores nor saves', async () => {
    const registrations = source({ enabled: false })

    await expect(registrations.obtain()).resolves.toEqual(registration(1))
    await registrations.finishSaving({ wait: true })

    expect(restoreRegistration).not.toHaveBeenCalled()
    expect(saveRegistration).not.toHaveBeenCalled()
    expect(lines('::debug::')).toContain('cache-registration is false: registering a new OIDC client without looking in the Actions cache.')
  })

  it('does not save after a restore that timed out', async () => {
    restoreRegistration.mockResolvedValue({ status: 'timed-out' })
    const registrations = source({ enabled: true })

    await registrations.obtain()
    await registrations.obtain({ replacing: registration(1) })

    expect(registerClient).toHaveBeenCalledTimes(2)
    expect(saveRegistration).not.toHaveBeenCalled()
  })

  it('names the rejected client through the sanitiser: a client id from AWS or the cache cannot start a command line', async () => {
    const registrations = source({ enabled: false })
    await registrations.obtain({ replacing: { ...registration(1), clientId: 'evil\n::stop-commands::x\u202e' } })
    expect(stdout).toContain('Registering a new OIDC client to replace evil ::stop-commands::x, which AWS no longer accepts.')
    expect(stdout.some((line) => line.startsWith('::stop-commands'))).toBe(false)
  })

  it('names the client it registered through the sanitiser: an explicit client-name may carry bidi or C1 characters', async () => {
    const registrations = new RegistrationSource({
      client: { registerClient },
      wanted: { ...wanted, clientName: 'GitHub Actions \u202eevil\u0085::warning::x' },
      cache: { enabled: false },
      cacheFile
    })
    await registrations.obtain()
    expect(stdout.find((line) => line.startsWith('Registered OIDC client'))).toMatch(
      /^Registered OIDC client "GitHub Actions evil ::warning::x" \(scopes: /
    )
  })

  it('replaces a rejected registration without looking in the cache again, and saves the replacement after the first save', async () => {
    const first = deferred()
    saveRegistration.mockReturnValueOnce(first.promise)
    const registrations = source({ enabled: true })
    await registrations.obtain()

    const replacement = await registrations.obtain({ replacing: registration(1) })

    expect(replacement).toEqual(registration(2))
    expect(restoreRegistration).toHaveBeenCalledTimes(1)
    expect(lines('')).toContain('Registering a new OIDC client to replace client-id-1, which AWS no longer accepts.')
    // The two saves share one file: the second starts only once the first is done.
    await new Promise((resolve) => setImmediate(resolve))
    expect(saveRegistration).toHaveBeenCalledTimes(1)
    first.resolve()
    await registrations.finishSaving({ wait: true })
    expect(saveRegistration.mock.calls.map(([saved]) => saved.clientId)).toEqual(['client-id-1', 'client-id-2'])
  })

  it('gives the cache one warning per run; later ones become debug lines', async () => {
    restoreRegistration.mockImplementation(async (options) => {
      options.onWarning?.('the restore failed')
      return { status: 'not-restored' }
    })
    saveRegistration.mockImplementation(async (_registration, options) => options.onWarning?.('the save failed'))
    const registrations = source({ enabled: true })

    await registrations.obtain()
    await registrations.finishSaving({ wait: true })

    expect(lines('::warning::')).toEqual(['the restore failed'])
    expect(lines('::debug::')).toContain('the save failed')
  })

  it('calls RegisterClient through the caller’s retries', async () => {
    const retried: string[] = []
    const registrations = source({ enabled: false }, async (call) => {
      retried.push('attempt')
      return call()
    })

    await registrations.obtain()

    expect(retried).toEqual(['attempt'])
  })

  it('settles without waiting on cancellation, and removes the file a late restore may leave, when it used the service', async () => {
    process.env.ACTIONS_RUNTIME_TOKEN = 'token'
    saveRegistration.mockReturnValue(new Promise(() => undefined))
    const registrations = source({ enabled: true })
    await registrations.obtain()
    writeFileSync(cacheFile, '{}')

    await registrations.finishSaving({ wait: false })

    expect(existsSync(cacheFile)).toBe(false)
  })

  it('leaves HOME alone when the service was never reachable', async () => {
    writeFileSync(cacheFile, '{}')
    const registrations = source({ enabled: true })
    await registrations.obtain()

    await registrations.finishSaving({ wait: true })

    expect(existsSync(cacheFile)).toBe(true)
  })
})
