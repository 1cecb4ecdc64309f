// V8 settings for this short-lived process, made before any module of the bundle runs. Imported
// first by each entry (index.ts, post.ts) for this side effect.
//
// - JavaScript stays in V8's interpreter: no Sparkplug, Maglev or TurboFan. The action makes a
//   handful of requests and renders one QR code; compiled code saves it nothing, while compiling
//   (and paging in the compilers' own machine code from the node binary) cost about 3 MiB of peak
//   memory, 5 MiB more in the runs where V8 found something hot enough for TurboFan, and CPU time.
//   With them off: 68 -> 65 MiB (cache off), 83 -> 80 MiB (cached registration), the spread from
//   5 MiB to under 1, 14 ms less CPU, the same time to prompt. (`--max-opt` would say it in one
//   flag, but V8 reads that one only at start-up.)
// - Functions compile when first called, whatever V8's eager-compilation hints say (`--max-lazy`):
//   ncc wraps every module in a parenthesized function, which V8 takes for a hint to compile it
//   with the code around it, whether or not it is ever called. About 0.6 MiB less with a cached
//   registration (the @actions/cache chunk), no time lost.
// - WebAssembly stays at its baseline tier: undici parses HTTP with llhttp compiled to WebAssembly;
//   V8 compiles it with Liftoff and, once hot (about the third response), again with TurboFan, for
//   15 to 19 MiB more. Liftoff is fast enough for this many responses.
// Figures in docs/performance.md.
//
// Why the imports: changing a flag invalidates V8's code cache for Node's built-in modules, so one
// loaded afterwards is compiled from its source (about 20 ms for the set the bundle needs). So every
// built-in the bundle's main chunk requires is loaded here first, with its code cache, before the
// flags change; __tests__/lint/v8-flags.test.ts checks that it covers what dist/ requires.
import 'node:assert'
import 'node:async_hooks'
import 'node:buffer'
import 'node:child_process'
import 'node:crypto'
import 'node:diagnostics_channel'
import 'node:events'
import 'node:fs'
import 'node:fs/promises'
import 'node:http'
import 'node:http2'
import 'node:https'
import 'node:module'
import 'node:net'
import 'node:os'
import 'node:path'
import 'node:perf_hooks'
import 'node:process'
import 'node:querystring'
import 'node:stream'
import 'node:string_decoder'
import 'node:timers'
import 'node:timers/promises'
import 'node:tls'
import 'node:tty'
import 'node:url'
import 'node:util'
import 'node:util/types'
import 'node:worker_threads'
import 'node:zlib'
import { setFlagsFromString } from 'node:v8'

setFlagsFromString('--no-sparkplug')
setFlagsFromString('--no-maglev')
setFlagsFromString('--no-turbofan')
setFlagsFromString('--max-lazy')
setFlagsFromString('--wasm-tiering-budget=2000000000')
