// Checks and normalises SSO portal success bodies: a 200 without a field the action depends on is
// a MalformedResponseError naming the field, never its value (the values are credentials).
import { Fields, type ParseContext } from '../http/response-fields.js'
import type { AccountInfo, Page, RoleCredentials, RoleInfo } from './types.js'

export function parseRoleCredentials(body: unknown, context: ParseContext): RoleCredentials {
  const outer = new Fields(body, context)
  const credentials = new Fields(outer.requiredObject('roleCredentials'), context, 'roleCredentials.')
  const expiration = credentials.requiredTime('expiration', 1)
  return {
    accessKeyId: credentials.requiredString('accessKeyId'),
    secretAccessKey: credentials.requiredString('secretAccessKey'),
    sessionToken: credentials.requiredString('sessionToken'),
    expiration
  }
}

export function parseAccountPage(body: unknown, context: ParseContext): Page<AccountInfo> {
  const fields = new Fields(body, context)
  const items = listOf(fields, 'accountList', context, (entry) => {
    const account: AccountInfo = { accountId: entry.requiredString('accountId') }
    const accountName = entry.optionalString('accountName')
    if (accountName !== undefined) account.accountName = accountName
    return account
  })
  return withNextToken(items, fields)
}

export function parseRolePage(body: unknown, context: ParseContext, accountId: string): Page<RoleInfo> {
  const fields = new Fields(body, context)
  const items = listOf(fields, 'roleList', context, (entry) => ({
    // The portal repeats the account; the one asked for is the one that matters.
    accountId: entry.optionalString('accountId') ?? accountId,
    roleName: entry.requiredString('roleName')
  }))
  return withNextToken(items, fields)
}

/** The list a page is about: required, since a page without it would read as "no access at all". */
function listOf<T>(fields: Fields, name: string, context: ParseContext, read: (entry: Fields) => T): T[] {
  const value = fields.optionalValue(name)
  if (!Array.isArray(value)) throw fields.malformed(`${name} is missing or not a list`)
  return value.map((entry, index) => read(new Fields(entry, context, `${name}[${index}].`)))
}

function withNextToken<T>(items: T[], fields: Fields): Page<T> {
  const nextToken = fields.optionalString('nextToken')
  return nextToken === undefined ? { items } : { items, nextToken }
}
