// The per-attempt limit near the flow's deadline: shortened, and marked so, over a real loopback socket.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals'
import { createServer, type Server } from 'node:http'
import type { Socket } from 'node:net'
import { attemptLimit, requestJson } from '../../src/http/request.js'
import { RequestTimeoutError } from '../../src/http/errors.js'

const ENDPOINT = 'http://127.0.0.1/logout'

describe('attemptLimit', () => {
  const at = (deadline: number | undefined) => ({ operation: 'Logout', timeoutMs: 3_000, deadline, now: () => 10_000 })

  it('is the full timeout with no deadline or a far one', () => {
    expect(attemptLimit(at(undefined), ENDPOINT)).toEqual({ timeoutMs: 3_000, cutShort: false })
    expect(attemptLimit(at(13_000), ENDPOINT)).toEqual({ timeoutMs: 3_000, cutShort: false })
  })

  it('is what the deadline leaves, marked as cut short', () => {
    expect(attemptLimit(at(12_999), ENDPOINT)).toEqual({ timeoutMs: 2_999, cutShort: true })
    expect(attemptLimit(at(10_022.9), ENDPOINT)).toEqual({ timeoutMs: 22, cutShort: true })
  })

  it('refuses to send with nothing left, as a cut-short timeout', () => {
    for (const deadline of [10_000, 9_000]) {
      let thrown: unknown
      try {
        attemptLimit(at(deadline), ENDPOINT)
      } catch (error) {
        thrown = error
      }
      expect(thrown).toBeInstanceOf(RequestTimeoutError)
      expect((thrown as RequestTimeoutError).cutShort).toBe(true)
      expect((thrown as RequestTimeoutError).message).toBe(
        'Logout at http://127.0.0.1/logout failed: not sent: the time allowed had run out'
      )
    }
  })
})

describe('a request that hangs', () => {
  let server: Server
  const sockets = new Set<Socket>()
  let url: URL

  beforeAll(async () => {
    server = createServer(() => undefined) // never answers
    server.on('connection', (socket) => sockets.add(socket))
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
    url = new URL(`http://127.0.0.1:${(server.address() as { port: number }).port}/logout`)
  })
  afterAll(async () => {
    for (const socket of sockets) socket.destroy()
    await new Promise((resolve) => server.close(resolve))
  })

  const timeoutOf = async (options: { timeoutMs: number; deadline?: number }) =>
    requestJson({ operation: 'Logout', method: 'POST', url, ...options }).then(
      () => undefined,
      (error: unknown) => error
    )

  it('times out cut short when the deadline shortened the attempt', async () => {
    const error = await timeoutOf({ timeoutMs: 10_000, deadline: Date.now() + 150 })
    expect(error).toBeInstanceOf(RequestTimeoutError)
    expect((error as RequestTimeoutError).cutShort).toBe(true)
    expect((error as RequestTimeoutError).timeoutMs).toBeLessThanOrEqual(150)
  })

  it('times out with its full time otherwise', async () => {
    const error = await timeoutOf({ timeoutMs: 150, deadline: Date.now() + 60_000 })
    expect(error).toBeInstanceOf(RequestTimeoutError)
    expect((error as RequestTimeoutError).cutShort).toBe(false)
    expect((error as RequestTimeoutError).timeoutMs).toBe(150)
  })
})
