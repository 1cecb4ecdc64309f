// The post step's entry point (runs.post): everything happens in runPostStep().
import { runPostStep } from './cleanup/index.js'

await runPostStep()
