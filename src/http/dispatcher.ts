// The one connection pool every AWS call shares, so keep-alive connections are reused across
// RegisterClient, StartDeviceAuthorization and every CreateToken poll.
// Proxies: runners behind a corporate proxy set HTTPS_PROXY/HTTP_PROXY/NO_PROXY (either case).
// undici's EnvHttpProxyAgent implements that convention; it is used only when a proxy variable is
// set, so the common case stays a plain Agent.
import { Agent, EnvHttpProxyAgent, type Dispatcher } from 'undici'

/** The proxy settings found in an environment, lower-case names first as curl and undici read them. */
export interface ProxySettings {
  httpProxy: string
  httpsProxy: string
  noProxy: string
}

export function proxySettingsFromEnv(env: NodeJS.ProcessEnv = process.env): ProxySettings | undefined {
  const httpProxy = firstNonEmpty(env.http_proxy, env.HTTP_PROXY)
  const httpsProxy = firstNonEmpty(env.https_proxy, env.HTTPS_PROXY)
  if (httpProxy === '' && httpsProxy === '') return undefined
  return { httpProxy, httpsProxy, noProxy: firstNonEmpty(env.no_proxy, env.NO_PROXY) }
}

/**
 * A dispatcher for this environment. The proxy settings are read once, here, and passed to
 * EnvHttpProxyAgent explicitly, so what the log says about the proxy is what the agent uses.
 * Note: EnvHttpProxyAgent applies NO_PROXY literally; it does NOT exempt loopback addresses.
 */
export function createDispatcher(env: NodeJS.ProcessEnv = process.env): Dispatcher {
  const proxy = proxySettingsFromEnv(env)
  if (proxy === undefined) return new Agent()
  // Empty strings are deliberate: they stop the agent from reading process.env on its own.
  // An https target then uses HTTPS_PROXY, else HTTP_PROXY (undici's fallback).
  return withoutExperimentalWarning(() => new EnvHttpProxyAgent(proxy))
}

let shared: Dispatcher | undefined

/** The process-wide dispatcher, created on first use from process.env. */
export function sharedDispatcher(): Dispatcher {
  shared ??= createDispatcher(process.env)
  return shared
}

/** Closes the shared dispatcher (idle keep-alive sockets); the next request creates a new one. */
export async function closeSharedDispatcher(): Promise<void> {
  const closing = shared
  shared = undefined
  await closing?.close()
}

function firstNonEmpty(...values: Array<string | undefined>): string {
  for (const value of values) {
    const trimmed = value?.trim()
    if (trimmed) return trimmed
  }
  return ''
}

// undici 6 prints "EnvHttpProxyAgent is experimental" to stderr on first use. In an action that
// line lands in every proxied user's step log, where nobody can act on it; it is the only warning
// silenced, and only while the agent is constructed (synchronously).
function withoutExperimentalWarning<T>(create: () => T): T {
  const emitWarning = process.emitWarning
  process.emitWarning = function (this: NodeJS.Process, ...args: Parameters<NodeJS.Process['emitWarning']>) {
    const [, options] = args
    const code = typeof options === 'object' && options !== null && 'code' in options ? options.code : undefined
    if (code === 'UNDICI-EHPA') return
    return Reflect.apply(emitWarning, this, args)
  } as NodeJS.Process['emitWarning']
  try {
    return create()
  } finally {
    process.emitWarning = emitWarning
  }
}
