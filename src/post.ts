// The post step's entry point (runs.post): everything happens in runPostStep(); the process then
// ends explicitly, as the main step's does (see exit.ts).
import { runPostStep } from './cleanup/index.js'
import { exitWhenFlushed } from './exit.js'

await runPostStep()
await exitWhenFlushed()
