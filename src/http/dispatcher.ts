// The one connection pool every AWS call shares, so keep-alive connections are reused across
// RegisterClient, StartDeviceAuthorization and every CreateToken poll.
// Proxies: runners behind a corporate proxy set HTTPS_PROXY/HTTP_PROXY/NO_PROXY (either case).
// ProxyRouter (below) follows that convention over undici's Agent and ProxyAgent; it is used only
// when a proxy variable is set, so the common case stays a plain Agent.
import { Agent, Dispatcher, ProxyAgent } from 'undici'

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
 * A dispatcher for this environment. The proxy settings are read once, here, so what the log says
 * about the proxy is what the dispatcher uses.
 * Note: NO_PROXY is applied literally; it does NOT exempt loopback addresses.
 */
export function createDispatcher(env: NodeJS.ProcessEnv = process.env): Dispatcher {
  const proxy = proxySettingsFromEnv(env)
  if (proxy === undefined) return new Agent()
  return new ProxyRouter(proxy)
}

/**
 * Sends each request direct or through a proxy, by its origin: NO_PROXY's hosts direct, an https
 * target through HTTPS_PROXY, else HTTP_PROXY (an https target with only HTTP_PROXY set uses it).
 * The rules are those of undici 6's EnvHttpProxyAgent, which is marked experimental (and says so
 * on stderr, into every proxied user's step log); this keeps them over undici's stable Agent and
 * ProxyAgent, through the public Dispatcher interface (dispatch, close, destroy).
 */
export class ProxyRouter extends Dispatcher {
  readonly #direct = new Agent()
  readonly #http: Dispatcher
  readonly #https: Dispatcher
  readonly #noProxy: NoProxyEntry[]

  constructor(settings: ProxySettings) {
    super()
    this.#http = settings.httpProxy ? new ProxyAgent(settings.httpProxy) : this.#direct
    this.#https = settings.httpsProxy ? new ProxyAgent(settings.httpsProxy) : this.#http
    this.#noProxy = parseNoProxy(settings.noProxy)
  }

  override dispatch(options: Dispatcher.DispatchOptions, handler: Dispatcher.DispatchHandlers): boolean {
    return this.#route(new URL(String(options.origin))).dispatch(options, handler)
  }

  override close(): Promise<void>
  override close(callback: () => void): void
  override close(callback?: () => void): Promise<void> | void {
    const closed = Promise.all(this.#agents().map((agent) => agent.close())).then(() => undefined)
    if (callback === undefined) return closed
    void closed.then(callback, callback)
  }

  override destroy(): Promise<void>
  override destroy(error: Error | null): Promise<void>
  override destroy(callback: () => void): void
  override destroy(error: Error | null, callback: () => void): void
  override destroy(errorOrCallback?: Error | null | (() => void), callback?: () => void): Promise<void> | void {
    const error = typeof errorOrCallback === 'function' ? null : (errorOrCallback ?? null)
    const done = typeof errorOrCallback === 'function' ? errorOrCallback : callback
    const destroyed = Promise.all(this.#agents().map((agent) => agent.destroy(error))).then(() => undefined)
    if (done === undefined) return destroyed
    void destroyed.then(done, done)
  }

  #agents(): Dispatcher[] {
    return [...new Set([this.#direct, this.#http, this.#https])]
  }

  #route(url: URL): Dispatcher {
    // The port stripped from `host`, not `hostname`, keeps an IPv6 address's brackets.
    const host = url.host.replace(/:\d*$/, '').toLowerCase()
    const port = Number.parseInt(url.port, 10) || DEFAULT_PORTS[url.protocol] || 0
    if (!shouldProxy(this.#noProxy, host, port)) return this.#direct
    return url.protocol === 'https:' ? this.#https : this.#http
  }
}

interface NoProxyEntry {
  host: string
  /** 0: any port. */
  port: number
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443 }

/** NO_PROXY's entries: separated by commas or white space, each a host with an optional `:port`. */
function parseNoProxy(value: string): NoProxyEntry[] {
  return value
    .split(/[,\s]/)
    .filter((entry) => entry !== '')
    .map((entry) => {
      const withPort = /^(.+):(\d+)$/.exec(entry)
      return { host: (withPort?.[1] ?? entry).toLowerCase(), port: withPort ? Number.parseInt(withPort[2]!, 10) : 0 }
    })
}

/** An exact host is exempt by name, `.suffix` and `*.suffix` by ending (`*` alone: every host), each on its port if it names one. */
function shouldProxy(noProxy: NoProxyEntry[], host: string, port: number): boolean {
  for (const entry of noProxy) {
    if (entry.port !== 0 && entry.port !== port) continue
    if (/^[.*]/.test(entry.host) ? host.endsWith(entry.host.replace(/^\*/, '')) : host === entry.host) return false
  }
  return true
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
