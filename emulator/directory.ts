// The portal's directory: which users there are and which accounts and roles each is assigned.
// Read from a JSON file by the CLI (or given to startEmulator) and checked here, so a typo in a
// file fails at start with a line saying where. Two forms (emulator/README.md, "The directory"):
// - a list of accounts: one directory everyone shares, whatever name they approve as (the
//   original format; the default user is `demo-user`);
// - `{ "users": [{ "userName": "alice", "accounts": [...] }, ...] }`: each user their own
//   accounts; only listed users can approve, the first one by default.
import type { Account } from './store.js'

export const DEFAULT_USER = 'demo-user'

/** A user and the accounts (with roles) assigned to them. */
export interface DirectoryUser {
  userName: string
  accounts: Account[]
}

/** What startEmulator's `directory` option and the CLI's `--directory` file accept. */
export type DirectoryInput = Account[] | { users: DirectoryUser[] }

export interface Directory {
  /** Who approves when the approval names nobody. */
  defaultUser: string
  /** The listed users; with a shared directory, just the default user. */
  users: DirectoryUser[]
  /** True for the list form: every user name sees the same accounts. */
  shared: boolean
  /** The accounts of `userName`; undefined for a user the directory does not know. */
  accountsOf(userName: string): Account[] | undefined
}

/** IAM's role-session-name alphabet: the user name becomes the role session's name. */
export const USER_NAME = /^[\w+=,.@-]{2,64}$/

export function parseDirectory(value: unknown, source = 'directory'): Directory {
  if (Array.isArray(value)) {
    const accounts = parseAccounts(value, source)
    return { defaultUser: DEFAULT_USER, users: [{ userName: DEFAULT_USER, accounts }], shared: true, accountsOf: () => accounts }
  }
  if (!value || typeof value !== 'object' || !Array.isArray((value as { users?: unknown }).users)) {
    throw new Error(
      `${source}: expected a non-empty JSON array of {accountId, accountName, emailAddress, roles}, or {"users": [{userName, accounts}]}`
    )
  }
  const list = (value as { users: unknown[] }).users
  if (list.length === 0) throw new Error(`${source}.users: expected at least one user`)
  const byName = new Map<string, DirectoryUser>()
  const users = list.map((entry: unknown, index) => {
    const where = `${source}.users[${index}]`
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new Error(`${where}: expected an object`)
    const { userName, accounts } = entry as Record<string, unknown>
    if (typeof userName !== 'string' || !USER_NAME.test(userName)) {
      throw new Error(
        `${where}.userName: expected 2 to 64 letters, digits or + = , . @ _ - (a role session name), e.g. "alice@example.com"`
      )
    }
    if (byName.has(userName)) throw new Error(`${where}.userName: ${userName} appears twice`)
    const user = {
      userName,
      accounts: Array.isArray(accounts) && accounts.length === 0 ? [] : parseAccounts(accounts, `${where}.accounts`)
    }
    byName.set(userName, user)
    return user
  })
  return { defaultUser: users[0]!.userName, users, shared: false, accountsOf: (userName) => byName.get(userName)?.accounts }
}

function parseAccounts(value: unknown, source: string): Account[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new Error(`${source}: expected a non-empty JSON array of {accountId, accountName, emailAddress, roles}`)
  }
  const seen = new Set<string>()
  return value.map((entry: unknown, index) => {
    const where = `${source}[${index}]`
    if (!entry || typeof entry !== 'object' || Array.isArray(entry)) throw new Error(`${where}: expected an object`)
    const { accountId, accountName, emailAddress, roles } = entry as Record<string, unknown>
    if (typeof accountId !== 'string' || !/^\d{12}$/.test(accountId)) {
      throw new Error(`${where}.accountId: expected 12 digits, e.g. "111111111111"`)
    }
    if (seen.has(accountId)) throw new Error(`${where}.accountId: ${accountId} appears twice`)
    seen.add(accountId)
    if (typeof accountName !== 'string' || accountName === '') throw new Error(`${where}.accountName: expected a non-empty string`)
    if (typeof emailAddress !== 'string' || !emailAddress.includes('@'))
      throw new Error(`${where}.emailAddress: expected an e-mail address`)
    if (!Array.isArray(roles) || !roles.every((role): role is string => typeof role === 'string' && /^[\w+=,.@-]{1,32}$/.test(role))) {
      throw new Error(`${where}.roles: expected a list of permission set names (1 to 32 letters, digits or + = , . @ _ -), e.g. ["Deploy"]`)
    }
    return { accountId, accountName, emailAddress, roles: [...roles] }
  })
}
