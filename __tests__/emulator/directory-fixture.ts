// Portal assignments for tests that list accounts and roles: three accounts, so paging with a
// page size of 1 or 2 takes several pages, and roles that differ per account.
import type { Account } from '../../emulator/server.js'

export const THREE_ACCOUNTS: Account[] = [
  { accountId: '111111111111', accountName: 'Sandbox', emailAddress: 'sandbox@example.com', roles: ['Deploy', 'ReadOnly', 'Admin'] },
  { accountId: '222222222222', accountName: 'Staging', emailAddress: 'staging@example.com', roles: ['Deploy'] },
  { accountId: '333333333333', accountName: 'Prod', emailAddress: 'prod@example.com', roles: ['ReadOnly'] }
]
