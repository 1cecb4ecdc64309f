// undici parses HTTP with llhttp compiled to WebAssembly. V8 first compiles it with its baseline
// compiler (Liftoff); once the parser is hot (about the third response) it recompiles it with
// TurboFan, which costs 15-19 MiB of peak memory in a process that only makes a handful of requests.
// The baseline code is fast enough for that many responses (docs/performance.md), so the tiering
// budget is set out of reach. Call this after the modules are loaded and before the first request:
// a flag change invalidates V8's code cache, and Node's built-in modules loaded after it would be
// compiled from scratch (about 20 ms here).
import { setFlagsFromString } from 'node:v8'

export function keepWasmAtBaselineTier(): void {
  setFlagsFromString('--wasm-tiering-budget=2000000000')
}
