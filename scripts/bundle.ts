// Builds dist/ with ncc: the main entry and the post entry, each an ESM bundle.
// dist/package.json marks the output as ESM so Node loads it as the runner does.
// - ncc runs from src/, so that its module resolver reads src/tsconfig.json, whose `paths` puts
//   src/http/undici-parts.ts in the place of undici's index (read why there).
// - Every emitted file is then made pure ASCII (scripts/ascii-only.ts: half the memory for the
//   source Node keeps of each file).
import { execFileSync } from 'node:child_process'
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { asciiOnly } from './ascii-only.js'

const entries = [
  ['index.ts', 'dist'],
  ['post.ts', 'dist/post']
]
rmSync('dist', { recursive: true, force: true })
for (const [entry, out] of entries) {
  if (!existsSync(join('src', entry))) continue
  execFileSync(
    process.execPath,
    [join('..', 'node_modules/@vercel/ncc/dist/ncc/cli.js'), 'build', entry, '-o', join('..', out), '--license', 'licenses.txt', '--quiet', '--target', 'es2023'],
    { stdio: 'inherit', cwd: 'src' }
  )
}
for (const file of readdirSync('dist', { recursive: true }).map(String)) {
  if (!file.endsWith('.js')) continue
  const path = join('dist', file)
  const source = readFileSync(path, 'utf8')
  const ascii = asciiOnly(source, path)
  if (ascii !== source) writeFileSync(path, ascii)
}
writeFileSync('dist/package.json', JSON.stringify({ type: 'module' }, null, 2) + '\n')
