// A directory of users with their own accounts and roles: alice has two accounts, bob one account
// she also has (with another role), carol none.
import type { DirectoryInput } from '../../emulator/server.js'

export const TWO_USERS: DirectoryInput = {
  users: [
    {
      userName: 'alice@example.com',
      accounts: [
        { accountId: '111111111111', accountName: 'Sandbox', emailAddress: 'sandbox@example.com', roles: ['Deploy', 'ReadOnly'] },
        { accountId: '222222222222', accountName: 'Prod', emailAddress: 'prod@example.com', roles: ['Deploy'] }
      ]
    },
    {
      userName: 'bob',
      accounts: [{ accountId: '222222222222', accountName: 'Prod', emailAddress: 'prod@example.com', roles: ['ReadOnly'] }]
    },
    { userName: 'carol', accounts: [] }
  ]
}
