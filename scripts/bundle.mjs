// Builds dist/ with ncc: the main entry and the post entry, each an ESM bundle.
// dist/package.json marks the output as ESM so Node loads it as the runner does.
import { execFileSync } from 'node:child_process'
import { rmSync, writeFileSync, existsSync } from 'node:fs'

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
