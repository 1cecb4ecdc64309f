// Runs one of the repository's TypeScript scripts (the demo, the bench) through tsx on the same
// Node as the tests, collecting its output; a hung script is killed at `timeoutMs`.
import { spawn } from 'node:child_process'
import { join } from 'node:path'

export interface ScriptRun {
  code: number | null
  stdout: string
  stderr: string
}

export function runTsxScript(repositoryRoot: string, script: string, args: string[], timeoutMs: number): Promise<ScriptRun> {
  const tsxCli = join(repositoryRoot, 'node_modules', 'tsx', 'dist', 'cli.mjs')
  const child = spawn(process.execPath, [tsxCli, script, ...args], { cwd: repositoryRoot, stdio: ['ignore', 'pipe', 'pipe'] })
  let stdout = ''
  let stderr = ''
  child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text))
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text))
  const killer = setTimeout(() => child.kill('SIGKILL'), timeoutMs)
  return new Promise((resolve) =>
    child.on('close', (code) => {
      clearTimeout(killer)
      resolve({ code, stdout, stderr })
    })
  )
}
