// Reads the fields of an AWS JSON success body. AWS marks no response member as required, so every
// field a caller depends on is checked: a 200 without it is a MalformedResponseError naming the
// field (never its value), not a crash three steps later. Shared by the OIDC and portal clients.
import { MalformedResponseError } from './errors.js'

export interface ParseContext {
  operation: string
  endpoint: string
  /** Epoch ms when the response arrived. */
  now: number
}

export class Fields {
  private readonly record: Record<string, unknown>

  /** `path` prefixes field names in messages when `body` is nested, like `roleCredentials.`. */
  constructor(
    body: unknown,
    private readonly context: ParseContext,
    private readonly path = ''
  ) {
    if (typeof body !== 'object' || body === null || Array.isArray(body)) {
      throw this.malformed(path === '' ? 'body is not a JSON object' : `${path.replace(/\.$/, '')} is not a JSON object`)
    }
    this.record = body as Record<string, unknown>
  }

  malformed(problem: string): MalformedResponseError {
    return new MalformedResponseError(this.context.operation, this.context.endpoint, problem)
  }

  requiredString(name: string): string {
    const value = this.optionalString(name)
    if (value === undefined) throw this.malformed(`${this.path}${name} is missing or not a non-empty string`)
    return value
  }

  optionalString(name: string): string | undefined {
    const value = this.record[name]
    return typeof value === 'string' && value !== '' ? value : undefined
  }

  requiredNumber(name: string): number {
    const value = this.optionalNumber(name)
    if (value === undefined) throw this.malformed(`${this.path}${name} is missing or not a number`)
    return value
  }

  optionalNumber(name: string): number | undefined {
    const value = this.record[name]
    return typeof value === 'number' && Number.isFinite(value) ? value : undefined
  }

  /**
   * A point in time, in epoch seconds or milliseconds (`unitMs` 1000 or 1), that a Date can hold and
   * that is after 1970: anything else would throw (toISOString) or mislead far from where it came in.
   */
  requiredTime(name: string, unitMs: 1 | 1000): number {
    const value = this.requiredNumber(name)
    if (!isTime(value * unitMs))
      throw this.malformed(`${this.path}${name} is not a plausible time in epoch ${unitMs === 1 ? 'milliseconds' : 'seconds'}`)
    return value
  }

  requiredObject(name: string): unknown {
    const value = this.record[name]
    if (typeof value !== 'object' || value === null || Array.isArray(value))
      throw this.malformed(`${this.path}${name} is missing or not a JSON object`)
    return value
  }

  /** The raw value, for members whose shape the caller checks itself (lists). */
  optionalValue(name: string): unknown {
    return this.record[name]
  }
}

/** Epoch milliseconds after 1970 that a Date can represent (at most 8.64e15). */
export function isTime(ms: number): boolean {
  return Number.isFinite(ms) && ms > 0 && ms <= 8.64e15
}
