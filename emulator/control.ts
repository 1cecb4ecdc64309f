// The emulator's own control API under /__emulator/, for tests that drive it from another process:
// arm and clear faults, read what happened. It never returns a secret: counts, request records,
// pending user codes (shown to approvers anyway) and the armed faults.
import type { Reply } from './errors.js'
import { FaultError, type FaultPlan } from './faults.js'
import { jsonReply } from './http.js'
import type { Route } from './routes.js'

export interface ControlContext {
  faults: FaultPlan
  state: () => Record<string, unknown>
}

export function controlRoutes(ctx: ControlContext): Route[] {
  return [
    {
      method: 'POST',
      path: '/__emulator/faults',
      operation: 'InjectFault',
      handle: (exchange): Reply => {
        let parsed: unknown
        try {
          parsed = JSON.parse(exchange.body.toString('utf8'))
        } catch {
          return jsonReply(400, { message: 'Body must be a JSON fault or a JSON array of faults' })
        }
        const faults = Array.isArray(parsed) ? parsed : [parsed]
        try {
          ctx.faults.addAll(faults)
        } catch (error) {
          if (error instanceof FaultError) return jsonReply(400, { message: error.message })
          throw error
        }
        return jsonReply(201, { faults: ctx.faults.describe() })
      }
    },
    {
      method: 'DELETE',
      path: '/__emulator/faults',
      operation: 'ClearFaults',
      handle: (): Reply => {
        ctx.faults.clear()
        return jsonReply(200, { faults: [] })
      }
    },
    { method: 'GET', path: '/__emulator/state', operation: 'State', handle: (): Reply => jsonReply(200, ctx.state()) }
  ]
}
