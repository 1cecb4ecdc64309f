// Small HTTP helpers over node:http: read a bounded body, write a Reply.
import type { IncomingMessage, ServerResponse } from 'node:http'
import type { Reply } from './errors.js'
import { newRequestId } from './ids.js'

/** Far above any real request (a client secret is ~1 KB); stops a runaway client from eating memory. */
export const MAX_BODY_BYTES = 1024 * 1024

export class BodyTooLargeError extends Error {
  constructor() {
    super(`Request body larger than ${MAX_BODY_BYTES} bytes`)
    this.name = 'BodyTooLargeError'
  }
}

export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = []
    let size = 0
    req.on('data', (chunk: Buffer) => {
      size += chunk.length
      if (size > MAX_BODY_BYTES) {
        req.removeAllListeners('data')
        req.resume()
        reject(new BodyTooLargeError())
        return
      }
      chunks.push(chunk)
    })
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

export function jsonReply(status: number, value: unknown): Reply {
  return { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify(value) }
}

export function writeReply(res: ServerResponse, reply: Reply): void {
  if (res.writableEnded || res.destroyed) return
  const body = Buffer.from(reply.body, 'utf8')
  res.writeHead(reply.status, {
    // An answer that carries its own (STS, whose body repeats it) keeps it.
    'x-amzn-requestid': newRequestId(),
    ...reply.headers,
    'content-length': String(body.length)
  })
  res.end(body)
}
