// The action's entry point (runs.main): everything happens in run(); the process then ends
// explicitly, so nothing the action gave up on can keep the step open (see exit.ts).
import { exitWhenFlushed } from './exit.js'
import { run } from './main.js'
import { runOptionsFrom } from './flow/prepare.js'

// Arguments are the test harness's alone. The runner starts runs.main as `node <file>` with none,
// from the action's own action.yml, and nothing a workflow controls can add one: inputs and `env:`
// reach the step as variables, and NODE_OPTIONS takes Node's options, never the script's. The one
// argument understood only shortens the cache's bounds, which costs at most a warning.
await run(runOptionsFrom(process.argv.slice(2)))
await exitWhenFlushed()
