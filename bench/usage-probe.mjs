// Preloaded into a measured process with `node --import`: when the process exits, writes the
// kernel's account of it (process.resourceUsage(): peak resident set and CPU time) to the file
// named by BENCH_USAGE_FILE. The same probe goes into every process the bench compares (the
// action, the AWS SDK script, bare Node), so its own small cost is the same on each side.
import { writeFileSync } from 'node:fs'

const file = process.env.BENCH_USAGE_FILE
if (file) {
  process.on('exit', () => {
    const usage = process.resourceUsage()
    // maxRSS is in KiB, the CPU times in microseconds.
    writeFileSync(file, JSON.stringify({ maxRssKiB: usage.maxRSS, userCpuMicros: usage.userCPUTime, systemCpuMicros: usage.systemCPUTime }))
  })
}
