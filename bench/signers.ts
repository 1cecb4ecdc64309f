// Which SigV4 library signs STS GetCallerIdentity (docs/identity.md, "The signer"): each candidate
// bundled alone by ncc exactly as `npm run bundle` bundles the action, then measured: the bytes it
// adds, the time a fresh Node takes to load it (median of --runs processes, against an empty
// bundle as the baseline) and the time one signature takes once loaded. Not part of `npm test`;
// run with `npm run bench:signers [-- --runs 15]`. Writes bench/signers.json.
import { execFileSync } from 'node:child_process'
import { mkdirSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'

const WORK = 'tmp/signers'
const REQUEST = `{ method: 'POST', host: 'sts.us-east-1.amazonaws.com', path: '/', body: 'Action=GetCallerIdentity&Version=2011-06-15' }`
const CREDENTIALS = `{ accessKeyId: 'ASIAEXAMPLEEXAMPLE00', secretAccessKey: 'x'.repeat(40), sessionToken: 'IQoJ'.repeat(100) }`

/** Each candidate's whole use: sign one request, return the Authorization header. */
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
    .filter((file) => file.endsWith('.mjs'))
    .reduce((sum, file) => sum + statSync(join(dir, file)).size, 0)
}

/** Milliseconds from process start to the bundle loaded (import) and to one signature, in a fresh Node. */
function timeInFreshNode(dir: string): { loadMs: number; signMs: number; signed: string } {
  const script = `
const t0 = performance.now()
const m = await import(${JSON.stringify(`./${join(dir, 'index.mjs')}`)})
const t1 = performance.now()
const signed = await m.sign()
const t2 = performance.now()
process.stdout.write(JSON.stringify({ loadMs: t1 - t0, signMs: t2 - t1, signed: String(signed).slice(0, 16) }))`
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8' })
  return JSON.parse(out) as { loadMs: number; signMs: number; signed: string }
}

const runs = option('runs', 15)
rmSync(WORK, { recursive: true, force: true })
const results: Record<string, { bytes: number; addedBytes: number; loadMs: number; addedLoadMs: number; signMs: number }> = {}
let baseline = { bytes: 0, loadMs: 0 }
for (const [name, source] of Object.entries(CANDIDATES)) {
  const dir = join(WORK, name)
  mkdirSync(dir, { recursive: true })
  writeFileSync(join(dir, 'entry.mjs'), source)
  execFileSync(
    process.execPath,
    ['node_modules/@vercel/ncc/dist/ncc/cli.js', 'build', join(dir, 'entry.mjs'), '-o', join(dir, 'out'), '--quiet', '--target', 'es2023'],
    { stdio: 'inherit' }
  )
  writeFileSync(join(dir, 'out', 'package.json'), '{"type":"module"}\n')
  const samples = Array.from({ length: runs }, () => timeInFreshNode(join(dir, 'out')))
  const bytes = bundleBytes(join(dir, 'out'))
  const loadMs = median(samples.map((sample) => sample.loadMs))
  if (name === 'baseline') baseline = { bytes, loadMs }
  results[name] = {
    bytes,
    addedBytes: bytes - baseline.bytes,
    loadMs: Number(loadMs.toFixed(2)),
    addedLoadMs: Number((loadMs - baseline.loadMs).toFixed(2)),
    signMs: Number(median(samples.map((sample) => sample.signMs)).toFixed(2))
  }
  if (name !== 'baseline' && !samples[0]!.signed.startsWith('AWS4-HMAC-SHA256'))
    throw new Error(`${name} did not sign: ${samples[0]!.signed}`)
}
writeFileSync(
  'bench/signers.json',
  JSON.stringify({ node: process.version, runs, loadavg: (await import('node:os')).loadavg()[0], results }, null, 2) + '\n'
)
console.table(results)
