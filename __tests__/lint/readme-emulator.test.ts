// The README's examples run against the emulator as written ("Test your workflow offline"): every
// account and role they ask for is in the emulator's default directory.
import { describe, expect, it } from '@jest/globals'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { parse } from 'yaml'
import { DEFAULT_DIRECTORY } from '../../emulator/server.js'
import { repositoryRoot } from '../harness/runner.js'

const readme = readFileSync(join(repositoryRoot, 'README.md'), 'utf8')
const yamlBlocks = [...readme.matchAll(/^```ya?ml\n([\s\S]*?)^```/gm)].map((match) => match[1]!)

/** account-id/role-name pairs of each `with:` and every `roles:` line, as "account:role". */
function requestedRoles(): string[] {
  const roles: string[] = []
  for (const block of yamlBlocks) {
    for (const step of block.split(/^\s*- /m)) {
      const account = /^\s*account-id:\s*'?(\d{12})'?\s*$/m.exec(step)?.[1]
      const role = /^\s*role-name:\s*([\w+=,.@-]+)\s*$/m.exec(step)?.[1]
      if (account && role) roles.push(`${account}:${role}`)
      for (const line of step.matchAll(/^\s*(\d{12}):([\w+=,.@-]+)=[\w-]+\s*$/gm)) roles.push(`${line[1]}:${line[2]}`)
    }
  }
  return roles
}

describe("the README's examples and the emulator's default directory", () => {
  const assigned = DEFAULT_DIRECTORY.flatMap((account) => account.roles.map((role) => `${account.accountId}:${role}`))

  it('finds the roles the examples ask for (the test reads them all)', () => {
    expect(requestedRoles()).toEqual(expect.arrayContaining(['111122223333:Deployer', '444455556666:Deployer']))
  })

  it.each(requestedRoles())('the emulator assigns %s', (role) => {
    expect(assigned).toContain(role)
  })

  it("the accounts the README names in a sample line are the emulator's, with the same names", () => {
    for (const match of readme.matchAll(/(\d{12}) \((\w+)\): ([\w, ]+?)[;.]/g)) {
      const account = DEFAULT_DIRECTORY.find((candidate) => candidate.accountId === match[1])
      expect({ id: match[1], name: account?.accountName, roles: account?.roles.join(', ') }).toEqual({
        id: match[1],
        name: match[2],
        roles: match[3]
      })
    }
  })
})

describe('the start-emulator action in the README', () => {
  const manifest = parse(readFileSync(join(repositoryRoot, '.github', 'actions', 'start-emulator', 'action.yml'), 'utf8')) as {
    inputs: Record<string, { default?: string }>
    outputs: Record<string, unknown>
  }
  const section = readme.slice(readme.indexOf('## Test your workflow offline'), readme.indexOf('## Inputs\n'))
  /** First cells and second cells of the section's table rows that start with a code span. */
  const rows = [...section.matchAll(/^\| `([\w-]+)` \| ([^|]+) \|/gm)].map((match) => [match[1]!, match[2]!.trim()] as const)

  it('lists every input with its default, and nothing else', () => {
    const inputs = rows.filter(([name]) => name in manifest.inputs)
    expect(inputs).toEqual(
      Object.entries(manifest.inputs).map(([name, input]) => [name, `\`${input.default === '' ? "''" : input.default}\``])
    )
  })

  it('lists every output, and nothing else', () => {
    expect(rows.map(([name]) => name).filter((name) => !(name in manifest.inputs))).toEqual(Object.keys(manifest.outputs))
  })

  it('shows it in a workflow by the path other repositories use', () => {
    expect(section).toContain('uses: <owner>/aws-sso-device-auth/.github/actions/start-emulator@v1')
  })
})
