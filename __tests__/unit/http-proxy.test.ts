// Proxies through a loopback proxy. The action's ProxyRouter keeps the rules of undici 6.29's
// EnvHttpProxyAgent (checked in its source, and proved below): they do NOT exempt loopback
// addresses by default. NO_PROXY is applied literally
// (exact host, `.suffix`/`*.suffix`, optional `:port`, `*` for all), so with NO_PROXY unset a
// request to 127.0.0.1 goes through the proxy, which is what lets this test see it. undici tunnels
// every proxied request with CONNECT, plain http targets included.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { spawnSync } from 'node:child_process'
import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { Agent, type Dispatcher } from 'undici'
import { closeSharedDispatcher, createDispatcher, proxySettingsFromEnv, ProxyRouter } from '../../src/http/dispatcher.js'
import { SsoOidcClient } from '../../src/oidc/client.js'
import { NetworkError, isRetryableAwsError } from '../../src/oidc/errors.js'
import { ForwardProxy } from '../harness/forward-proxy.js'

const CLIENT = { clientId: 'client-id', clientSecret: 'client-secret-value' }

const proxy = new ForwardProxy()
let proxyUrl: string
let target: Server
let targetEndpoint: string
let targetHost: string
let targetHits = 0
const dispatchers: Dispatcher[] = []

beforeAll(async () => {
  proxyUrl = await proxy.start()
  target = createServer((req, res) => {
    targetHits++
    req.resume()
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json' })
      res.end(JSON.stringify({ accessToken: 'access-token', expiresIn: 3600 }))
    })
  })
  await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve))
  targetHost = `127.0.0.1:${(target.address() as AddressInfo).port}`
  targetEndpoint = `http://${targetHost}`
})

afterAll(async () => {
  await Promise.all(dispatchers.map((d) => d.close()))
  await closeSharedDispatcher()
  target.closeAllConnections()
  await new Promise<void>((resolve) => target.close(() => resolve()))
  await proxy.stop()
})

/** One CreateToken through a dispatcher made for `env`; returns how the proxy saw it. */
async function callWith(env: NodeJS.ProcessEnv) {
  proxy.reset()
  targetHits = 0
  const dispatcher = createDispatcher(env)
  dispatchers.push(dispatcher)
  const token = await new SsoOidcClient({ endpoint: targetEndpoint, dispatcher }).createToken(CLIENT, 'device-code')
  return { token, tunnels: proxy.tunnels.map((t) => t.target), proxied: proxy.requestsSeen, targetHits }
}

describe('proxy selection from the environment', () => {
  it('uses a plain Agent when no proxy variable is set', () => {
    expect(proxySettingsFromEnv({ NO_PROXY: 'example.com' })).toBeUndefined()
    expect(createDispatcher({})).toBeInstanceOf(Agent)
    expect(createDispatcher({ HTTP_PROXY: '  ' })).toBeInstanceOf(Agent)
  })

  it('uses the proxy router when one is, lower case first', () => {
    expect(createDispatcher({ HTTPS_PROXY: proxyUrl })).toBeInstanceOf(ProxyRouter)
    expect(proxySettingsFromEnv({ http_proxy: 'http://lower:1', HTTP_PROXY: 'http://upper:2', NO_PROXY: 'a', no_proxy: 'b' })).toEqual({
      httpProxy: 'http://lower:1',
      httpsProxy: '',
      noProxy: 'b'
    })
  })

  it("does not print undici's experimental warning into the step log", () => {
    // A real process: under jest, `process` is a stand-in whose warnings never reach stderr.
    const script = `import { createDispatcher } from './src/http/dispatcher'; await createDispatcher({ HTTP_PROXY: '${proxyUrl}' }).close()`
    const run = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
      cwd: new URL('../..', import.meta.url),
      encoding: 'utf8',
      env: { PATH: process.env.PATH },
      timeout: 30_000
    })
    expect(run.status).toBe(0)
    expect(run.stderr).not.toContain('EnvHttpProxyAgent')
    // and undici's EnvHttpProxyAgent, which the router stands in for, does print it, so the check above can fail
    const unguarded = spawnSync(
      process.execPath,
      ['-e', `new (require('undici').EnvHttpProxyAgent)({ httpProxy: '${proxyUrl}' }).close()`],
      {
        cwd: new URL('../..', import.meta.url),
        encoding: 'utf8',
        env: { PATH: process.env.PATH },
        timeout: 30_000
      }
    )
    expect(unguarded.stderr).toContain('EnvHttpProxyAgent is experimental')
  }, 40_000)
})

describe('requests through a loopback proxy', () => {
  it('go through HTTP_PROXY with a CONNECT tunnel when NO_PROXY is unset (loopback is not exempt)', async () => {
    const seen = await callWith({ HTTP_PROXY: proxyUrl })
    expect(seen.tunnels).toEqual([targetHost])
    expect(seen.targetHits).toBe(1)
    expect(seen.token.accessToken).toBe('access-token')
  })

  it('honour lower-case http_proxy over HTTP_PROXY', async () => {
    const seen = await callWith({ http_proxy: proxyUrl, HTTP_PROXY: 'http://127.0.0.1:9' })
    expect(seen.tunnels).toEqual([targetHost])
  })

  it('still go through the proxy when NO_PROXY names other hosts or another port', async () => {
    const seen = await callWith({ HTTP_PROXY: proxyUrl, NO_PROXY: 'example.com,.internal, 127.0.0.1:1' })
    expect(seen.tunnels).toEqual([targetHost])
  })

  it.each([['127.0.0.1'], ['127.0.0.1:PORT'], ['*'], ['example.com 127.0.0.1'], ['.0.0.1'], ['*.0.0.1:PORT']])(
    'go direct when NO_PROXY is %s',
    async (noProxy) => {
      const seen = await callWith({ HTTP_PROXY: proxyUrl, no_proxy: noProxy.replace('PORT', targetHost.split(':')[1]!) })
      expect(seen.proxied).toBe(0)
      expect(seen.targetHits).toBe(1)
    }
  )

  it('go direct for an http endpoint when only HTTPS_PROXY is set', async () => {
    const seen = await callWith({ HTTPS_PROXY: proxyUrl })
    expect(seen.proxied).toBe(0)
    expect(seen.targetHits).toBe(1)
  })

  it('send proxy credentials from the proxy URL', async () => {
    const withCredentials = proxyUrl.replace('http://', 'http://deploy:p%40ss@')
    await callWith({ HTTP_PROXY: withCredentials })
    expect(proxy.tunnels[0]!.authorization).toBe(`Basic ${Buffer.from('deploy:p@ss').toString('base64')}`)
  })

  it.each([
    [407, false, 'the proxy refused the connection with HTTP 407: check the credentials in the proxy URL'],
    [403, false, 'the proxy refused the connection with HTTP 403'],
    [502, true, 'the proxy refused the connection with HTTP 502']
  ])(
    'fail with a NetworkError naming the endpoint when the proxy answers CONNECT with %s',
    async (status, retryable, reason) => {
      proxy.reset()
      proxy.refuseWith = status
      const dispatcher = createDispatcher({ HTTP_PROXY: proxyUrl })
      dispatchers.push(dispatcher)
      const error = await new SsoOidcClient({ endpoint: targetEndpoint, dispatcher, requestTimeoutMs: 2_000 })
        .createToken(CLIENT, 'device-code')
        .catch((e: unknown) => e)
      expect(error).toBeInstanceOf(NetworkError)
      expect((error as Error).message).toBe(`CreateToken at ${targetEndpoint}/token failed: ${reason}`)
      expect(isRetryableAwsError(error)).toBe(retryable)
      expect(proxy.tunnels).toHaveLength(1)
    },
    5_000
  )

  it('go through the proxy in process.env by default (the shared dispatcher)', async () => {
    const saved = {
      HTTP_PROXY: process.env.HTTP_PROXY,
      NO_PROXY: process.env.NO_PROXY,
      http_proxy: process.env.http_proxy,
      no_proxy: process.env.no_proxy
    }
    await closeSharedDispatcher()
    process.env.HTTP_PROXY = proxyUrl
    delete process.env.NO_PROXY
    delete process.env.http_proxy
    delete process.env.no_proxy
    try {
      proxy.reset()
      await new SsoOidcClient({ endpoint: targetEndpoint }).createToken(CLIENT, 'device-code')
      expect(proxy.tunnels.map((t) => t.target)).toEqual([targetHost])
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
      await closeSharedDispatcher()
    }
  })
})
