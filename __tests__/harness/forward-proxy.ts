// A loopback forward proxy, as a corporate network puts in front of a runner: CONNECT tunnels
// (what undici and @actions/http-client use for every proxied request, plain http targets
// included) and absolute-form requests. It looks inside the tunnels, so it counts the requests it
// forwarded, not just the connections:
// - a tunnel to a host under `.tls.test` is TLS, terminated here with the certificate given (the
//   client must trust it: NODE_EXTRA_CA_CERTS), as a TLS-inspecting proxy does;
// - any other tunnel is read as plain HTTP.
// Host names ending in `.test` resolve to 127.0.0.1 here and nowhere else (RFC 2606 reserves
// `.test`), so a client that reaches such a host at all went through the proxy. Only loopback.
import { execFileSync } from 'node:child_process'
import { readFileSync } from 'node:fs'
import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http'
import { createServer as createHttpsServer } from 'node:https'
import { connect, type AddressInfo, type Socket } from 'node:net'
import { join } from 'node:path'

export interface ForwardedRequest {
  /** host:port as the client asked for it. */
  target: string
  method: string
  /** Path without the query. */
  path: string
  via: 'tunnel' | 'tls-tunnel' | 'absolute-form'
}

export interface ForwardProxyOptions {
  /** Key and certificate (PEM) for `*.tls.test`, to terminate TLS tunnels. */
  tls?: { key: string | Buffer; cert: string | Buffer }
}

/** Where a host the client named really is: `.test` names are this machine. */
function resolveHost(host: string): string {
  return host.endsWith('.test') ? '127.0.0.1' : host
}

function splitTarget(target: string): { host: string; port: number } {
  const at = target.lastIndexOf(':')
  return { host: target.slice(0, at).replace(/^\[|\]$/g, ''), port: Number(target.slice(at + 1)) }
}

export class ForwardProxy {
  /** CONNECT requests: the target and the Proxy-Authorization header, if any. */
  readonly tunnels: Array<{ target: string; authorization?: string }> = []
  /** Every request forwarded, inside tunnels or not. */
  readonly forwarded: ForwardedRequest[] = []
  /** Answer every CONNECT with this status instead (407: credentials needed). */
  refuseWith?: number
  private readonly sockets = new Set<Socket>()
  private readonly server: Server
  /** Parses what flows through plain tunnels. */
  private readonly plainTunnels: Server
  private readonly tlsTunnels: Server | undefined

  constructor(options: ForwardProxyOptions = {}) {
    this.server = createServer((req, res) => this.forward(req, res, req.url ?? '', 'absolute-form'))
    this.plainTunnels = createServer((req, res) => this.forward(req, res, this.tunnelTarget(req), 'tunnel'))
    this.tlsTunnels = options.tls
      ? createHttpsServer(options.tls, (req, res) => this.forward(req, res, this.tunnelTarget(req), 'tls-tunnel'))
      : undefined
    this.server.on('connection', (socket) => this.track(socket))
    this.server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => this.tunnel(req, client, head))
  }

  async start(): Promise<string> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve))
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`
  }

  /** Requests and tunnels seen so far: zero means the client went direct. */
  get requestsSeen(): number {
    return this.tunnels.length + this.forwarded.filter((request) => request.via === 'absolute-form').length
  }

  /** Forwarded requests to hosts whose name matches. */
  forwardedTo(host: RegExp): ForwardedRequest[] {
    return this.forwarded.filter((request) => host.test(splitTarget(request.target).host))
  }

  reset(): void {
    this.tunnels.length = 0
    this.forwarded.length = 0
    this.refuseWith = undefined
  }

  async stop(): Promise<void> {
    for (const socket of this.sockets) socket.destroy()
    await new Promise<void>((resolve) => this.server.close(() => resolve()))
  }

  private track(socket: Socket): void {
    this.sockets.add(socket)
    socket.once('close', () => this.sockets.delete(socket))
  }

  private tunnel(req: IncomingMessage, client: Socket, head: Buffer): void {
    const target = req.url ?? ''
    this.tunnels.push({ target, ...(req.headers['proxy-authorization'] ? { authorization: req.headers['proxy-authorization'] } : {}) })
    if (this.refuseWith !== undefined) {
      client.end(`HTTP/1.1 ${this.refuseWith} Refused\r\nContent-Length: 0\r\n\r\n`)
      return
    }
    const { host } = splitTarget(target)
    const inner = host.endsWith('.tls.test') ? this.tlsTunnels : this.plainTunnels
    if (!inner) {
      this.pipe(target, client, head)
      return
    }
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
    tunnelTargets.set(client, target)
    if (head.length > 0) client.unshift(head)
    inner.emit('connection', client)
  }

  /** A tunnel to a host this proxy does not look into: bytes both ways. */
  private pipe(target: string, client: Socket, head: Buffer): void {
    const { host, port } = splitTarget(target)
    const upstream = connect(port, resolveHost(host), () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n')
      upstream.write(head)
      upstream.pipe(client)
      client.pipe(upstream)
    })
    this.track(upstream)
    upstream.on('error', () => client.destroy())
    client.on('error', () => upstream.destroy())
  }

  private tunnelTarget(req: IncomingMessage): string {
    // A TLS tunnel's request arrives on the TLSSocket wrapped around the client socket.
    const socket = req.socket as Socket & { _parent?: Socket }
    return tunnelTargets.get(socket) ?? (socket._parent ? tunnelTargets.get(socket._parent) : undefined) ?? ''
  }

  private forward(req: IncomingMessage, res: ServerResponse, target: string, via: ForwardedRequest['via']): void {
    // Absolute form carries the whole URL; inside a tunnel the target came with CONNECT.
    const url = via === 'absolute-form' ? new URL(target) : new URL(req.url ?? '/', `http://${target}`)
    this.forwarded.push({ target: url.host, method: req.method ?? 'GET', path: url.pathname, via })
    const upstream = httpRequest(
      {
        host: resolveHost(url.hostname),
        port: Number(url.port || 80),
        method: req.method,
        path: `${url.pathname}${url.search}`,
        headers: req.headers,
        agent: false
      },
      (answer) => {
        res.writeHead(answer.statusCode ?? 502, answer.headers)
        answer.pipe(res)
      }
    )
    upstream.on('error', () => res.destroy())
    res.once('close', () => {
      if (!res.writableFinished) upstream.destroy()
    })
    req.pipe(upstream)
  }
}

/** The CONNECT target of each tunnel's socket. */
const tunnelTargets = new WeakMap<Socket, string>()

/**
 * A throwaway certificate for `*.tls.test`, made with the openssl every runner image has, written
 * to `dir/tls-test.pem` so a child can trust it through NODE_EXTRA_CA_CERTS.
 */
export function testCertificate(dir: string): { key: string; cert: string; certPath: string } {
  const keyPath = join(dir, 'tls-test.key')
  const certPath = join(dir, 'tls-test.pem')
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '1',
      '-subj',
      '/CN=tls.test',
      '-addext',
      'subjectAltName=DNS:*.tls.test',
      '-keyout',
      keyPath,
      '-out',
      certPath
    ],
    { stdio: 'ignore' }
  )
  return { key: readFileSync(keyPath, 'utf8'), cert: readFileSync(certPath, 'utf8'), certPath }
}
