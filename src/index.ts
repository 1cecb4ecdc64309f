// The action's entry point (runs.main): everything happens in run(); the process then ends
// explicitly, so nothing the action gave up on can keep the step open (see exit.ts).
import { exitWhenFlushed } from './exit.js'
import { run } from './main.js'

await run()
await exitWhenFlushed()
