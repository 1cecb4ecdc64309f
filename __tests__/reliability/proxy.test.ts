// Proxies end to end (issue 6, item 2): the bundled action behind a loopback forward proxy that
// counts the requests it forwarded. Endpoints are named `*.test` hosts that only the proxy can
// resolve, so every request that reached the emulator went through the proxy; `*.tls.test` ones
// are https, terminated by the proxy with a certificate the step trusts through
// NODE_EXTRA_CA_CERTS (as behind a TLS-inspecting corporate proxy). Each row is one way a runner's
// environment sets HTTPS_PROXY / HTTP_PROXY / NO_PROXY (either case); rows grow with the clients.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { rmSync } from 'node:fs'
import { ForwardProxy, testCertificate } from '../harness/forward-proxy.js'
import type { ActionRun, EnvOverrides } from '../harness/runner.js'
import { otherWarnings } from '../harness/sso-backend.js'
import { concurrency, hasStackTrace, inPool, leaksIn, withGate, type World } from './support.js'
import { tempDir } from '../support/temp.js'

interface Addresses {
  proxyUrl: string
  /** The wire tap's port: the emulator as the action reaches it. */
  port: string
  /** The fake Actions cache service's port. */
  cachePort: string
  /** The fake GitHub REST API's port. */
  githubPort: string
  certPath: string
}

/** The AWS endpoints at `origin`, as a user points the action at them. */
const awsAt = (origin: string): EnvOverrides => ({ AWS_ENDPOINT_URL_SSO_OIDC: origin, AWS_ENDPOINT_URL_SSO: origin })

interface ProxyRow {
  name: string
  env: (at: Addresses) => EnvOverrides
  /** Set on the proxy before the step starts. */
  refuseWith?: number
  /** The Actions cache service (v2) at hand: its calls must go the same way. */
  cache?: boolean
  /** A run on a pull request with a PR comment: GitHub's REST calls must go the same way. */
  github?: boolean
  expect: { outcome: 'approved'; proxied: boolean } | { outcome: 'error'; cause: RegExp; endpoint: (at: Addresses) => string }
  /** Secrets in the environment the leak scan must also look for. */
  secrets?: Record<string, string>
  /** More inputs: a role, so the portal is called too. */
  inputs?: Record<string, string>
}

const PROXY_PASSWORD = 'proxy-pa55word-not-for-logs'

const ROWS: ProxyRow[] = [
  {
    name: 'HTTPS_PROXY, https endpoints (TLS inspected by the proxy)',
    env: (at) => ({ HTTPS_PROXY: at.proxyUrl, NODE_EXTRA_CA_CERTS: at.certPath, ...awsAt(`https://sso.tls.test:${at.port}`) }),
    expect: { outcome: 'approved', proxied: true }
  },
  {
    name: 'https_proxy (lower case), https endpoints',
    env: (at) => ({ https_proxy: at.proxyUrl, NODE_EXTRA_CA_CERTS: at.certPath, ...awsAt(`https://sso.tls.test:${at.port}`) }),
    expect: { outcome: 'approved', proxied: true }
  },
  {
    name: 'HTTP_PROXY, http endpoints',
    env: (at) => ({ HTTP_PROXY: at.proxyUrl, ...awsAt(`http://sso.test:${at.port}`) }),
    expect: { outcome: 'approved', proxied: true }
  },
  {
    name: 'http_proxy (lower case), http endpoints',
    env: (at) => ({ http_proxy: at.proxyUrl, ...awsAt(`http://sso.test:${at.port}`) }),
    expect: { outcome: 'approved', proxied: true }
  },
  {
    name: 'NO_PROXY naming other hosts: still proxied',
    env: (at) => ({ HTTP_PROXY: at.proxyUrl, NO_PROXY: 'example.com,.internal,sso.test:1', ...awsAt(`http://sso.test:${at.port}`) }),
    expect: { outcome: 'approved', proxied: true }
  },
  {
    name: 'NO_PROXY naming the endpoint host: direct',
    env: (at) => ({ HTTP_PROXY: at.proxyUrl, NO_PROXY: '127.0.0.1', ...awsAt(`http://127.0.0.1:${at.port}`) }),
    expect: { outcome: 'approved', proxied: false }
  },
  {
    name: 'no_proxy (lower case) naming host:port: direct',
    env: (at) => ({
      HTTPS_PROXY: at.proxyUrl,
      HTTP_PROXY: at.proxyUrl,
      no_proxy: `127.0.0.1:${at.port}`,
      ...awsAt(`http://127.0.0.1:${at.port}`)
    }),
    expect: { outcome: 'approved', proxied: false }
  },
  {
    name: 'credentials in the proxy URL: sent to the proxy, never shown',
    env: (at) => ({
      HTTPS_PROXY: at.proxyUrl.replace('http://', `http://deploy:${PROXY_PASSWORD}@`),
      NODE_EXTRA_CA_CERTS: at.certPath,
      ...awsAt(`https://sso.tls.test:${at.port}`)
    }),
    expect: { outcome: 'approved', proxied: true },
    secrets: { proxyPassword: PROXY_PASSWORD }
  },
  {
    name: 'HTTPS_PROXY: the portal too (role credentials, https)',
    inputs: { 'account-id': '111111111111', 'role-name': 'Deploy' },
    env: (at) => ({ HTTPS_PROXY: at.proxyUrl, NODE_EXTRA_CA_CERTS: at.certPath, ...awsAt(`https://sso.tls.test:${at.port}`) }),
    expect: { outcome: 'approved', proxied: true }
  },
  {
    name: 'HTTPS_PROXY: the Actions cache service too (https, TLS inspected)',
    cache: true,
    env: (at) => ({
      HTTPS_PROXY: at.proxyUrl,
      NODE_EXTRA_CA_CERTS: at.certPath,
      ACTIONS_RESULTS_URL: `https://cache.tls.test:${at.cachePort}/`,
      ...awsAt(`https://sso.tls.test:${at.port}`)
    }),
    expect: { outcome: 'approved', proxied: true }
  },
  {
    name: 'HTTP_PROXY: the Actions cache service too (http)',
    cache: true,
    env: (at) => ({
      HTTP_PROXY: at.proxyUrl,
      ACTIONS_RESULTS_URL: `http://cache.test:${at.cachePort}/`,
      ...awsAt(`http://sso.test:${at.port}`)
    }),
    expect: { outcome: 'approved', proxied: true }
  },
  {
    name: 'HTTPS_PROXY: GitHub’s REST API too (the PR comment, https)',
    github: true,
    env: (at) => ({
      HTTPS_PROXY: at.proxyUrl,
      NODE_EXTRA_CA_CERTS: at.certPath,
      GITHUB_API_URL: `https://api.tls.test:${at.githubPort}`,
      ...awsAt(`https://sso.tls.test:${at.port}`)
    }),
    expect: { outcome: 'approved', proxied: true }
  },
  {
    name: 'HTTP_PROXY: GitHub’s REST API too (http)',
    github: true,
    env: (at) => ({ HTTP_PROXY: at.proxyUrl, GITHUB_API_URL: `http://api.test:${at.githubPort}`, ...awsAt(`http://sso.test:${at.port}`) }),
    expect: { outcome: 'approved', proxied: true }
  },
  {
    name: 'a proxy demanding credentials (407): one line, at once',
    env: (at) => ({ HTTPS_PROXY: at.proxyUrl, NODE_EXTRA_CA_CERTS: at.certPath, ...awsAt(`https://sso.tls.test:${at.port}`) }),
    refuseWith: 407,
    expect: {
      outcome: 'error',
      cause: /the proxy refused the connection with HTTP 407: check the credentials in the proxy URL/,
      endpoint: (at) => `RegisterClient at https://sso.tls.test:${at.port}/client/register`
    }
  }
]

interface Observed {
  run: ActionRun
  proxy: ForwardProxy
  /** AWS requests the emulator answered, and those to the portal. */
  received: number
  portalCalls: number
  /** Calls to the cache service's API (Twirp), and entries it committed. */
  cacheCalls: number
  cacheEntries: number
  /** Requests the GitHub fake answered, and the comments it holds. */
  githubCalls: number
  comments: number
  leaks: string[]
  at: Addresses
}

let certDir: string
let certificate: ReturnType<typeof testCertificate>
const observed: Observed[] = []

beforeAll(async () => {
  certDir = tempDir('proxy-e2e')
  certificate = testCertificate(certDir)
  observed.push(
    ...(await inPool(ROWS, concurrency(), async (row) => {
      const proxy = new ForwardProxy({ tls: certificate })
      const proxyUrl = await proxy.start()
      if (row.refuseWith !== undefined) proxy.refuseWith = row.refuseWith
      let at: Addresses | undefined
      const addresses = (world: World): EnvOverrides => {
        const port = (url: string | undefined) => (url ? new URL(url).port : '')
        at = {
          proxyUrl,
          port: port(world.backend.tap.endpoint),
          cachePort: port(world.cache?.url),
          githubPort: port(world.github?.url),
          certPath: certificate.certPath
        }
        return row.env(at)
      }
      try {
        const spec = {
          envFor: addresses,
          inputs: { timeout: '20', ...row.inputs },
          killAfterMs: 40_000,
          ...(row.cache ? { cache: 'v2' as const } : {}),
          ...(row.github ? { github: true } : {})
        }
        return await withGate(spec, async (gate) => {
          const run = await gate.step.result
          return {
            run,
            proxy,
            // STS (the approver's lookup) is reached directly on loopback here (the harness's
            // AWS_ENDPOINT_URL_STS): this table is about the OIDC and portal clients.
            received: gate.backend.emulator.requests.filter(({ operation }) => operation !== 'GetCallerIdentity').length,
            portalCalls: gate.backend.emulator.requests.filter((request) => request.operation === 'GetRoleCredentials').length,
            cacheCalls: gate.cache?.requests.filter((request) => request.twirpMethod !== undefined).length ?? 0,
            cacheEntries: gate.cache?.entries.filter((entry) => entry.committed).length ?? 0,
            githubCalls: gate.github?.requests.length ?? 0,
            comments: [...(gate.github?.comments.values() ?? [])].flat().length,
            leaks: leaksIn(run, gate, { extraSecrets: row.secrets ?? {} }),
            at: at!
          }
        })
      } finally {
        await proxy.stop()
      }
    }))
  )
}, 120_000)

afterAll(() => rmSync(certDir, { recursive: true, force: true }))

describe('every client honours HTTPS_PROXY, HTTP_PROXY and NO_PROXY in either case', () => {
  it.each(ROWS.map((row, index) => [row.name, index] as const))('%s', (_name, index) => {
    const row = ROWS[index]!
    const { run, proxy, received, portalCalls, cacheCalls, cacheEntries, githubCalls, comments, leaks, at } = observed[index]!
    expect(leaks).toEqual([])
    expect(hasStackTrace(run)).toBe(false)
    const aws = proxy.forwardedTo(/^sso\.(tls\.)?test$/)
    if (row.expect.outcome === 'approved') {
      expect(run.errors).toEqual([])
      expect(run.outputs.outcome).toBe('approved')
      expect(received).toBeGreaterThanOrEqual(3)
      // Proxied: every request the emulator answered was one the proxy forwarded. Direct: none.
      expect(aws.length).toBe(row.expect.proxied ? received : 0)
      if (!row.expect.proxied) expect(proxy.requestsSeen).toBe(0)
      if (row.inputs?.['role-name']) {
        expect(portalCalls).toBe(1)
        expect(run.env.AWS_ACCESS_KEY_ID).toMatch(/^ASIA/)
      }
      if (row.cache) {
        // A lookup (a miss), then the save: reserve and finalize, all through the proxy, and no warning.
        expect(otherWarnings(run)).toEqual([])
        expect(cacheEntries).toBe(1)
        expect(cacheCalls).toBeGreaterThanOrEqual(3)
        expect(proxy.forwardedTo(/^cache\.(tls\.)?test$/).length).toBe(cacheCalls)
      }
      if (row.github) {
        // The pending comment, then the outcome: every call through the proxy, and no warning.
        expect(otherWarnings(run)).toEqual([])
        expect(comments).toBe(1)
        expect(githubCalls).toBeGreaterThanOrEqual(4)
        expect(proxy.forwardedTo(/^api\.(tls\.)?test$/).length).toBe(githubCalls)
      }
    } else {
      expect(run.outputs.outcome).toBe('error')
      expect(run.errors).toHaveLength(1)
      expect(run.errors[0]).toContain(row.expect.endpoint(at))
      expect(run.errors[0]).toMatch(row.expect.cause)
      expect(received).toBe(0)
      // Refused by policy, so not retried.
      expect(proxy.tunnels).toHaveLength(1)
    }
    if (row.secrets?.proxyPassword) {
      expect(
        proxy.tunnels.every((tunnel) => tunnel.authorization === `Basic ${Buffer.from(`deploy:${PROXY_PASSWORD}`).toString('base64')}`)
      ).toBe(true)
    }
  })
})
