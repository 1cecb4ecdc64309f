// Which SigV4 library signs STS GetCallerIdentity (docs/identity.md, "The signer"), and what the
// chosen one costs the action. Each entry below is bundled by ncc exactly as `npm run bundle`
// bundles dist/, then measured: its bytes, the time a fresh Node takes to load it (median of
// --runs processes) and the time one signature takes once loaded.
// - The candidates alone, against an empty bundle: what each library weighs by itself.
// - The action's main step (src/main.ts, loaded, not run) with and without the identity lookup
//   (src/identity/approver.ts, and through it src/sts/ and aws4): what the signer adds to the
//   bundle the runner loads, where node:crypto and the HTTP stack are loaded already.
// Not part of `npm test`; run with `npm run bench:signers [-- --runs 15]`. Writes bench/signers.json.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { cpus, loadavg } from 'node:os'
import { join } from 'node:path'

const WORK = 'tmp/signers'
const REQUEST = `{ method: 'POST', host: 'sts.us-east-1.amazonaws.com', path: '/', body: 'Action=GetCallerIdentity&Version=2011-06-15' }`
const CREDENTIALS = `{ accessKeyId: 'ASIAEXAMPLEEXAMPLE00', secretAccessKey: 'x'.repeat(40), sessionToken: 'IQoJ'.repeat(100) }`

const SRC = join(process.cwd(), 'src')

/** Each candidate's whole use: sign one request, return the Authorization header ('none' for a baseline). */
const CANDIDATES: Record<string, string> = {
  baseline: `export async function sign() { return 'none' }`,
  'smithy-signature-v4+node-crypto': `
import { SignatureV4 } from '@smithy/signature-v4'
import { Hash } from '@smithy/hash-node'
const r = ${REQUEST}
export async function sign() {
  const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials: ${CREDENTIALS}, sha256: Hash.bind(null, 'sha256'), applyChecksum: false })
  const signed = await signer.sign({ method: r.method, protocol: 'https:', hostname: r.host, path: r.path, headers: { host: r.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: r.body })
  return signed.headers.authorization
}`,
  'smithy-signature-v4+sha256-js': `
import { SignatureV4 } from '@smithy/signature-v4'
import { Sha256 } from '@aws-crypto/sha256-js'
const r = ${REQUEST}
export async function sign() {
  const signer = new SignatureV4({ service: 'sts', region: 'us-east-1', credentials: ${CREDENTIALS}, sha256: Sha256, applyChecksum: false })
  const signed = await signer.sign({ method: r.method, protocol: 'https:', hostname: r.host, path: r.path, headers: { host: r.host, 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: r.body })
  return signed.headers.authorization
}`,
  aws4: `
import aws4 from 'aws4'
const r = ${REQUEST}
export async function sign() {
  const signed = aws4.sign({ service: 'sts', region: 'us-east-1', method: r.method, host: r.host, path: r.path, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: r.body }, ${CREDENTIALS})
  return signed.headers.Authorization
}`,
  aws4fetch: `
import { AwsV4Signer } from 'aws4fetch'
const r = ${REQUEST}
export async function sign() {
  const signer = new AwsV4Signer({ ...${CREDENTIALS}, service: 'sts', region: 'us-east-1', method: r.method, url: 'https://' + r.host + r.path, headers: { 'content-type': 'application/x-www-form-urlencoded; charset=utf-8' }, body: r.body })
  const signed = await signer.sign()
  return signed.headers.get('authorization')
}`,
  'main step': `
import { run } from ${JSON.stringify(join(SRC, 'main.js'))}
export async function sign() { return typeof run === 'function' ? 'none' : 'broken' }`,
  'main step + identity (aws4)': `
import { run } from ${JSON.stringify(join(SRC, 'main.js'))}
import { identifyApprover } from ${JSON.stringify(join(SRC, 'identity', 'approver.js'))}
import { signQueryRequest } from ${JSON.stringify(join(SRC, 'sts', 'signer.js'))}
const r = ${REQUEST}
export async function sign() {
  if (typeof run !== 'function' || typeof identifyApprover !== 'function') return 'broken'
  const headers = signQueryRequest({ url: new URL('https://' + r.host + r.path), body: r.body, region: 'us-east-1', credentials: ${CREDENTIALS}, now: Date.now() })
  return headers.authorization
}`
}

function option(name: string, fallback: number): number {
  const index = process.argv.indexOf(`--${name}`)
  return index >= 0 ? Number(process.argv[index + 1]) : fallback
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b)
  const middle = Math.floor(sorted.length / 2)
  return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2
}

function bundleBytes(dir: string): number {
  return readdirSync(dir)
    .filter((file) => /\.m?js$/.test(file))
    .reduce((sum, file) => sum + statSync(join(dir, file)).size, 0)
}

/** Milliseconds from process start to the bundle loaded (import) and to one signature, in a fresh Node. */
function timeInFreshNode(dir: string): { loadMs: number; signMs: number; signed: string } {
  const file = readdirSync(dir).find((name) => /^index\.m?js$/.test(name))!
  const script = `
const t0 = performance.now()
const m = await import(${JSON.stringify(`./${join(dir, '__FILE__')}`)}.replace('__FILE__', ${JSON.stringify(file)}))
const t1 = performance.now()
const signed = await m.sign()
const t2 = performance.now()
process.stdout.write(JSON.stringify({ loadMs: t1 - t0, signMs: t2 - t1, signed: String(signed).slice(0, 16) }))`
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
  return JSON.parse(out) as { loadMs: number; signMs: number; signed: string }
}

const runs = option('runs', 15)
rmSync(WORK, { recursive: true, force: true })
const names = Object.keys(CANDIDATES)
for (const name of names) {
  const dir = join(WORK, name)
  mkdirSync(dir, { recursive: true })
  // The action's own modules from TypeScript, as in `npm run bundle`; the libraries alone from plain JavaScript.
  const entry = join(dir, name.startsWith('main step') ? 'entry.ts' : 'entry.mjs')
  writeFileSync(entry, CANDIDATES[name]!)
  execFileSync(
    process.execPath,
    ['node_modules/@vercel/ncc/dist/ncc/cli.js', 'build', entry, '-o', join(dir, 'out'), '--quiet', '--target', 'es2023'],
    { stdio: 'inherit' }
  )
  writeFileSync(join(dir, 'out', 'package.json'), '{"type":"module"}\n')
}

// Round robin: each run loads every bundle once, so a change in the machine's load affects all alike.
const samples = new Map(names.map((name) => [name, [] as Array<ReturnType<typeof timeInFreshNode>>]))
const loadAverages: number[] = []
for (let run = 0; run < runs; run++) {
  loadAverages.push(loadavg()[0]!)
  for (const name of names) samples.get(name)!.push(timeInFreshNode(join(WORK, name, 'out')))
}

const results: Record<string, { bytes: number; addedBytes: number; loadMs: number; addedLoadMs: number; signMs: number }> = {}
let baseline = { bytes: 0, loadMs: 0 }
for (const name of names) {
  const taken = samples.get(name)!
  const bytes = bundleBytes(join(WORK, name, 'out'))
  const loadMs = median(taken.map((sample) => sample.loadMs))
  // The libraries count from the empty bundle, the main step with identity from the main step alone.
  if (name === 'baseline' || name === 'main step') baseline = { bytes, loadMs }
  results[name] = {
    bytes,
    addedBytes: bytes - baseline.bytes,
    loadMs: Number(loadMs.toFixed(2)),
    addedLoadMs: Number((loadMs - baseline.loadMs).toFixed(2)),
    signMs: Number(median(taken.map((sample) => sample.signMs)).toFixed(2))
  }
  const signs = name !== 'baseline' && name !== 'main step'
  if (signs ? !taken[0]!.signed.startsWith('AWS4-HMAC-SHA256') : taken[0]!.signed !== 'none')
    throw new Error(`${name} did not work: ${taken[0]!.signed}`)
}
const meanLoad = loadAverages.reduce((sum, value) => sum + value, 0) / loadAverages.length
writeFileSync(
  'bench/signers.json',
  JSON.stringify({ node: process.version, cpus: cpus().length, runs, meanLoadAverage: Number(meanLoad.toFixed(1)), results }, null, 2) +
    '\n'
)
console.table(results)
if (meanLoad > cpus().length)
  console.log(`The load average was ${meanLoad.toFixed(1)} on ${cpus().length} cores: compare sizes, not times.`)
