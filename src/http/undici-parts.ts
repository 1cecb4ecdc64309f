// What the bundle takes from undici, in place of undici's index.
//
// undici's index loads all of undici as soon as anything imports it: fetch and its body parsers,
// WebSocket, EventSource, the cache API, mock agents. @actions/core imports it (through
// @actions/http-client) before the action's first line runs, so the whole library used to be
// parsed and run before the first AWS call, for an action that needs a connection pool and a proxy
// agent. In the bundle this file IS `undici`: src/tsconfig.json maps the name here, and ncc's
// resolver applies that mapping to every import in the bundle, node_modules included (the bundle
// script runs ncc from src/ so that it reads that tsconfig). It loads what the bundle uses:
// - Agent and EnvHttpProxyAgent: the action's AWS calls (src/http/dispatcher.ts);
// - ProxyAgent: @actions/http-client, behind a proxy;
// - FormData: already in the bundle (undici's HTTP client needs it), it stands in for Node's
//   global FormData while the cache runs (src/registration/bundled-form-data.ts);
// - fetch: @actions/github, behind a proxy only; undici's fetch is big, so it is a chunk of its
//   own, loaded on the first call.
// Every import of undici by a bundled package must name only these; a test reads them all
// (__tests__/lint/undici-parts.test.ts). Unit tests and tools outside the bundle use undici itself.
// What it saves before the prompt is in docs/performance.md.
import Dispatcher from 'undici/lib/dispatcher/dispatcher.js'
import api from 'undici/lib/api/index.js'
import Agent from 'undici/lib/dispatcher/agent.js'
import ProxyAgent from 'undici/lib/dispatcher/proxy-agent.js'
import EnvHttpProxyAgent from 'undici/lib/dispatcher/env-http-proxy-agent.js'
import formData from 'undici/lib/web/fetch/formdata.js'
import type * as undici from 'undici/index.js'

// As undici's index does: every dispatcher gets request(), stream(), pipeline(), connect() and
// upgrade().
Object.assign(Dispatcher.prototype, api)

export { Dispatcher, Agent, ProxyAgent, EnvHttpProxyAgent }
export const FormData = formData.FormData

export async function fetch(...args: Parameters<typeof undici.fetch>): ReturnType<typeof undici.fetch> {
  const { fetch: undiciFetch } = await import('undici/lib/web/fetch/index.js')
  return undiciFetch(...args)
}
