// The post step's run(), for tools that import an action's entry and call run() themselves, in
// their own process (GitHub's @github/local-action, which prints the outputs once run() is done).
// src/post.ts is the runner's entry: it ends the process after the post step (see exit.ts), which
// would end such a tool before it prints anything. The main step's run() is src/main.ts's.
import { runPostStep } from './cleanup/index.js'

export async function run(): Promise<void> {
  await runPostStep()
}
