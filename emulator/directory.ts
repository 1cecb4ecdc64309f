// The portal's directory: which accounts and roles the signed-in user is assigned. Read from a JSON
// file by the CLI and checked here, so a typo in a file fails at start with a line saying where.
import type { Account } from './store.js'

export function parseDirectory(value: unknown, source = 'directory'): Account[] {
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
    if (!Array.isArray(roles) || !roles.every((role): role is string => typeof role === 'string' && role !== '')) {
      throw new Error(`${where}.roles: expected a list of role names, e.g. ["Deploy"]`)
    }
    return { accountId, accountName, emailAddress, roles: [...roles] }
  })
}
