// The emulator's directory in both forms: the original list of accounts everyone shares, and users
// with their own accounts; the approve form's `user` field chooses whose access the token carries.
import { afterEach, describe, expect, it } from '@jest/globals'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { parseCliOptions } from '../../emulator/cli-options.js'
import { parseDirectory } from '../../emulator/directory.js'
import { startEmulator, type Emulator } from '../../emulator/server.js'
import { SsoOidcClient } from '../../src/oidc/client.js'
import { SsoPortalClient } from '../../src/portal/client.js'
import { tempDir } from '../support/temp.js'
import { THREE_ACCOUNTS } from './directory-fixture.js'
import { approvedToken } from './sign-in.js'
import { TWO_USERS } from './users-fixture.js'

let emulator: Emulator | undefined
afterEach(async () => {
  await emulator?.close()
  emulator = undefined
})

describe('parseDirectory', () => {
  it('reads the list form as one directory everyone shares, approved by demo-user by default', () => {
    const directory = parseDirectory(THREE_ACCOUNTS)
    expect(directory).toMatchObject({ defaultUser: 'demo-user', shared: true })
    expect(directory.accountsOf('anyone')).toEqual(THREE_ACCOUNTS)
  })

  it('reads the users form: each user their own accounts, the first the default, an unlisted user none', () => {
    const directory = parseDirectory(TWO_USERS)
    expect(directory).toMatchObject({ defaultUser: 'alice@example.com', shared: false })
    expect(directory.accountsOf('bob')?.map((account) => account.roles)).toEqual([['ReadOnly']])
    expect(directory.accountsOf('carol')).toEqual([])
    expect(directory.accountsOf('mallory')).toBeUndefined()
  })

  it.each([
    [{}, /expected a non-empty JSON array .* or \{"users"/],
    [{ users: [] }, /directory\.users: expected at least one user/],
    [{ users: [{ userName: 'a b', accounts: [] }] }, /directory\.users\[0\]\.userName: expected 2 to 64 letters/],
    [
      {
        users: [
          { userName: 'bob', accounts: [] },
          { userName: 'bob', accounts: [] }
        ]
      },
      /users\[1\]\.userName: bob appears twice/
    ],
    [{ users: [{ userName: 'bob', accounts: [{ accountId: '1' }] }] }, /users\[0\]\.accounts\[0\]\.accountId: expected 12 digits/],
    [
      [{ accountId: '111111111111', accountName: 'A', emailAddress: 'a@example.com', roles: ['Dep loy'] }],
      /roles: expected a list of permission set names/
    ]
  ])('refuses %j, saying where', (value, message) => {
    expect(() => parseDirectory(value)).toThrow(message)
  })
})

describe('--directory', () => {
  it('reads the users form from a file, and names the file and the entry when it is wrong', () => {
    const dir = tempDir('directory')
    const good = join(dir, 'users.json')
    writeFileSync(good, JSON.stringify(TWO_USERS))
    expect(parseCliOptions(['--directory', good]).options.directory).toEqual(TWO_USERS)
    const bad = join(dir, 'bad.json')
    writeFileSync(
      bad,
      JSON.stringify({
        users: [
          { userName: 'bob', accounts: [] },
          { userName: 'bob', accounts: [] }
        ]
      })
    )
    expect(() => parseCliOptions(['--directory', bad])).toThrow(`--directory: ${bad}.users[1].userName: bob appears twice`)
  })
})

describe('approving as a user of the directory', () => {
  it("answers the portal calls with the approver's own accounts and roles", async () => {
    emulator = await startEmulator({ directory: TWO_USERS })
    const portal = new SsoPortalClient({ endpoint: emulator.endpoint })
    const asBob = await approvedToken(emulator, 'bob')
    const asAlice = await approvedToken(emulator)
    expect(await portal.listAllAccounts(asBob)).toEqual([{ accountId: '222222222222', accountName: 'Prod' }])
    expect((await portal.listAllAccounts(asAlice)).map((account) => account.accountId)).toEqual(['111111111111', '222222222222'])
    expect((await portal.listAllAccountRoles(asBob, '222222222222')).map((role) => role.roleName)).toEqual(['ReadOnly'])
    await expect(portal.getRoleCredentials(asBob, '111111111111', 'Deploy')).rejects.toMatchObject({ code: 'ResourceNotFoundException' })
  })

  it('takes the form field `user`, defaults to the first user, and refuses one the directory lacks', async () => {
    emulator = await startEmulator({ directory: TWO_USERS })
    const oidc = new SsoOidcClient({ endpoint: emulator.endpoint })
    const registration = await oidc.registerClient({ clientName: 'form test', scopes: [] })
    const post = async (form: Record<string, string>) =>
      fetch(`${emulator!.endpoint}/device/approve`, {
        method: 'POST',
        headers: { accept: 'application/json' },
        body: new URLSearchParams(form)
      })
    const first = await oidc.startDeviceAuthorization(registration, 'https://d-1234567890.awsapps.com/start')
    const page = await (await fetch(`${emulator.endpoint}/device?user_code=${first.userCode}`)).text()
    expect(page).toContain('id="user" name="user" value="alice@example.com"')
    expect(page).toContain('its directory lists <code>alice@example.com</code>, <code>bob</code>, <code>carol</code>.')

    const unknown = await post({ user_code: first.userCode, user: 'mallory' })
    expect(unknown.status).toBe(400)
    expect(await unknown.json()).toMatchObject({
      result: 'unknown-user',
      message: 'The directory has no user mallory: approve as one of alice@example.com, bob, carol.'
    })
    const invalid = await post({ user_code: first.userCode, user: 'a<b>' })
    expect(await invalid.json()).toMatchObject({ result: 'invalid-user' })
    expect(await (await post({ user_code: first.userCode })).json()).toMatchObject({ result: 'approved', user: 'alice@example.com' })

    const second = await oidc.startDeviceAuthorization(registration, 'https://d-1234567890.awsapps.com/start')
    expect(await (await post({ user_code: second.userCode, user: 'bob' })).json()).toMatchObject({ result: 'approved', user: 'bob' })
    expect(() => emulator!.approve('BBBB-CCCC', 'mallory')).toThrow(/the directory has no such user/)
    expect(() => emulator!.approve('BBBB-CCCC', 'a b')).toThrow(/not a role session name/)
  })
})
