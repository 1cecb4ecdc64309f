// The action's entry point (runs.main): everything happens in run().
import { run } from './main.js'

await run()
