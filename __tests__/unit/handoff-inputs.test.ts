// The hand-off's inputs (inputs.ts) and the opening step's choice of roles (handoff/open.ts
// pickRoles): every combination that cannot mean anything fails with one line naming the input.
import { describe, expect, it } from '@jest/globals'
import { parseInputs, SECRET_INPUTS } from '../../src/inputs.js'
import { pickRoles } from '../../src/handoff/open.js'
import type { HandoffRecord } from '../../src/model/handoff.js'

const KEY = 'aGFuZG9mZi1rZXktZm9yLWlucHV0LXRlc3Rz'
const GATE = { 'start-url': 'https://d-1234567890.awsapps.com/start', region: 'us-east-1' }

function parse(values: Record<string, string>) {
  return parseInputs((name) => values[name] ?? '', 'octo/app').inputs
}

describe('handoff-key and handoff', () => {
  it('masks handoff-key with the other secret inputs', () => {
    expect(SECRET_INPUTS).toContain('handoff-key')
  })

  it('a gate: keeps the key when a role is requested; refuses a weak key, no role, and phase start', () => {
    expect(parse({ ...GATE, roles: '111122223333:Deployer=prod', 'handoff-key': KEY }).handoffKey).toBe(KEY)
    expect(() => parse({ ...GATE, roles: '111122223333:Deployer=prod', 'handoff-key': 'abc' })).toThrow(
      /^Input 'handoff-key' is too weak to protect the role credentials handed to later jobs .*the same secret in the gate job and in every job that opens its hand-off\.$/
    )
    expect(() => parse({ ...GATE, 'handoff-key': KEY })).toThrow(
      /^Input 'handoff-key' seals the credentials of the requested roles .* no role is requested/
    )
    expect(() => parse({ ...GATE, phase: 'start', roles: '111122223333:Deployer', 'handoff-key': KEY })).toThrow(
      /set it on the phase: wait step/
    )
  })

  it('opening: start-url and region may be left out, and profile alone picks a sealed profile', () => {
    const inputs = parse({ handoff: 'h1.x.y', 'handoff-key': KEY, profile: 'prod' })
    expect(inputs).toMatchObject({ handoff: 'h1.x.y', handoffKey: KEY, handoffProfile: 'prod', profiles: [], startUrl: '', awsRegion: '' })
    expect(inputs.role).toBeUndefined()
    expect(parse({ handoff: 'h1.x.y', 'handoff-key': KEY, 'aws-region': 'eu-west-1' }).awsRegion).toBe('eu-west-1')
  })

  it('refuses handoff without its key, handoff with a phase, and says when a deploy job got an empty handoff', () => {
    expect(() => parse({ handoff: 'h1.x.y' })).toThrow(/^Input 'handoff' needs 'handoff-key'/)
    expect(() => parse({ handoff: 'h1.x.y', 'handoff-key': KEY, phase: 'wait' })).toThrow(/leave 'phase' out \(it is wait\)/)
    expect(() => parse({ handoff: '', 'handoff-key': KEY, profile: 'prod' })).toThrow(
      /^Input 'handoff' is empty and 'start-url' or 'region' is not set: .*the gate's handoff output did not arrive/
    )
  })
})

describe('an empty handoff with handoff-key: a gate needs both start-url and region', () => {
  const EMPTY_HANDOFF = /^Input 'handoff' is empty and 'start-url' or 'region' is not set/
  it.each([
    ['start-url alone', { 'start-url': GATE['start-url'] }],
    ['region alone', { region: GATE.region }],
    ['neither', {}]
  ])('%s: refused as a hand-off that did not arrive', (_case, given) => {
    expect(() => parse({ ...given, 'handoff-key': KEY, roles: '111122223333:Deployer=prod' })).toThrow(EMPTY_HANDOFF)
  })

  it('both: a gate, whose start URL and region are read and checked as ever', () => {
    const inputs = parse({ ...GATE, 'handoff-key': KEY, roles: '111122223333:Deployer=prod' })
    expect(inputs).toMatchObject({ startUrl: GATE['start-url'], region: GATE.region })
    expect(() => parse({ ...GATE, region: 'EU-WEST-1', 'handoff-key': KEY, roles: '111122223333:Deployer' })).toThrow(/^Input 'region'/)
  })

  it('opening with a start URL or region given still checks them', () => {
    expect(() => parse({ handoff: 'h1.x.y', 'handoff-key': KEY, region: 'EU-WEST-1' })).toThrow(/^Input 'region'/)
    expect(() => parse({ handoff: 'h1.x.y', 'handoff-key': KEY, 'start-url': 'http://d-1234567890.awsapps.com/start' })).toThrow(
      /^Input 'start-url'/
    )
  })
})

describe('pickRoles', () => {
  const credentials = (n: number) => ({ accessKeyId: `AKID${n}`, secretAccessKey: `secret${n}`, sessionToken: `token${n}`, expiration: 1 })
  const record: HandoffRecord = {
    role: { accountId: '111122223333', roleName: 'Deployer', credentials: credentials(1) },
    profiles: [
      { accountId: '111122223333', roleName: 'Deployer', profile: 'prod', credentials: credentials(2) },
      { accountId: '444455556666', roleName: 'ReadOnly', profile: 'audit', credentials: credentials(3) }
    ],
    awsRegion: 'us-east-1',
    expiresAt: 1
  }

  it('nothing asked: everything, as the gate exported it', () => {
    const picked = pickRoles(record, { profiles: [] })
    expect(picked.role?.credentials.accessKeyId).toBe('AKID1')
    expect(picked.profiles.map(({ target, credentials }) => [target.profile, credentials.accessKeyId])).toEqual([
      ['prod', 'AKID2'],
      ['audit', 'AKID3']
    ])
  })

  it('by account and role (found in a profile too), by profile name, by roles lines under names of their own', () => {
    expect(
      pickRoles(record, { role: { accountId: '444455556666', roleName: 'ReadOnly' }, profiles: [] }).role?.credentials.accessKeyId
    ).toBe('AKID3')
    expect(pickRoles(record, { profiles: [], handoffProfile: 'audit' }).profiles).toEqual([
      { target: expect.objectContaining({ profile: 'audit', accountId: '444455556666' }), credentials: credentials(3) }
    ])
    const own = { accountId: '444455556666', roleName: 'ReadOnly', profile: 'mine', source: "input 'roles' line 1" }
    expect(pickRoles(record, { profiles: [own] }).profiles).toEqual([{ target: own, credentials: credentials(3) }])
  })

  it('refuses a role or profile the gate did not seal, listing what it did', () => {
    expect(() => pickRoles(record, { role: { accountId: '444455556666', roleName: 'Deployer' }, profiles: [] })).toThrow(
      "Input 'handoff' holds no credentials for the role Deployer in account 444455556666 (inputs 'account-id' and 'role-name'): the gate job sealed only 111122223333:Deployer, 111122223333:Deployer=prod, 444455556666:ReadOnly=audit; request it in the gate job too, or ask for one of those."
    )
    expect(() => pickRoles(record, { profiles: [], handoffProfile: 'staging' })).toThrow(
      /no credentials for the profile staging \(input 'profile'\)/
    )
  })
})
