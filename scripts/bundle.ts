// Builds dist/ with ncc: one ESM bundle per entry, each with its dependencies and their licenses.
// dist/package.json marks the output as ESM so Node loads it as the runner does.
// - dist/index.js: the main step (runs.main);
// - dist/post/index.js: the post step (runs.post).
// Modules loaded with a dynamic import() become chunks of their own beside their entry.
import { execFileSync } from 'node:child_process'
import { existsSync, rmSync, writeFileSync } from 'node:fs'

const entries = [
  ['src/index.ts', 'dist'],
  ['src/post.ts', 'dist/post']
]
rmSync('dist', { recursive: true, force: true })
for (const [entry, out] of entries) {
  if (!existsSync(entry)) continue
  execFileSync(
    process.execPath,
    ['node_modules/@vercel/ncc/dist/ncc/cli.js', 'build', entry, '-o', out, '--license', 'licenses.txt', '--quiet', '--target', 'es2023'],
    { stdio: 'inherit' }
  )
}
writeFileSync('dist/package.json', JSON.stringify({ type: 'module' }, null, 2) + '\n')
