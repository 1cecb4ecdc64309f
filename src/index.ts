// The action's entry point (runs.main): everything happens in run(); the process then ends
// explicitly, so nothing the action gave up on can keep the step open (see exit.ts).
import './v8-flags.js' // first: V8 settings before any other module runs (read why there)
import { exitWhenFlushed } from './exit.js'
import { run } from './main.js'

await run()
await exitWhenFlushed()
