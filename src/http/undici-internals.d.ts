// Types for the modules of undici that src/http/undici-parts.ts loads one by one: undici ships
// types for its index only. Each is typed as what the index exports under that name.
declare module 'undici/lib/dispatcher/dispatcher.js' {
  import { Dispatcher } from 'undici/index.js'
  export default Dispatcher
}
declare module 'undici/lib/dispatcher/agent.js' {
  import { Agent } from 'undici/index.js'
  export default Agent
}
declare module 'undici/lib/dispatcher/proxy-agent.js' {
  import { ProxyAgent } from 'undici/index.js'
  export default ProxyAgent
}
declare module 'undici/lib/dispatcher/env-http-proxy-agent.js' {
  import { EnvHttpProxyAgent } from 'undici/index.js'
  export default EnvHttpProxyAgent
}
declare module 'undici/lib/api/index.js' {
  /** request, stream, pipeline, connect, upgrade: the methods undici's index puts on Dispatcher. */
  const api: Record<'request' | 'stream' | 'pipeline' | 'connect' | 'upgrade', unknown>
  export default api
}
declare module 'undici/lib/web/fetch/index.js' {
  export { fetch } from 'undici/index.js'
}
declare module 'undici/lib/web/fetch/formdata.js' {
  import { FormData } from 'undici/index.js'
  const formData: { FormData: typeof FormData }
  export default formData
}
