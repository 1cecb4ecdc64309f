// The files the action wrote for this job only (the pending request, and whatever else the main
// step listed in the post-step state) must not outlive it, on a self-hosted runner least of all.
import { rmSync } from 'node:fs'
import type { CleanupTask } from './task.js'

export const removeFiles: CleanupTask = {
  name: 'remove the files this action wrote',
  async run(postStep) {
    const failed: string[] = []
    for (const file of postStep.files) {
      try {
        rmSync(file, { force: true })
      } catch (error) {
        failed.push(`${file} (${(error as NodeJS.ErrnoException).code ?? String(error)})`)
      }
    }
    if (failed.length > 0) throw new Error(`${failed.join(', ')}; delete them by hand on a self-hosted runner`)
  }
}
