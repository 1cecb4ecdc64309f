// Who may approve (gate/policy.ts): the pattern language as the README documents it, its refusal
// of bad patterns when the inputs are read, the bound on required-approvals, and the verdicts.
import { describe, expect, it } from '@jest/globals'
import { InputError } from '../../src/errors.js'
import { ANYONE, matchesPattern, needsIdentity, parsePatterns, parseRequiredApprovals, refusalReason } from '../../src/gate/policy.js'

describe('the pattern language', () => {
  it.each([
    ['alice@example.com', 'alice@example.com', true],
    ['Alice@Example.COM', 'alice@example.com', true],
    ['alice@example.com', '*@example.com', true],
    ['alice@example.com.evil.test', '*@example.com', false],
    ['mallory@example.community', '*@example.com', false],
    ['deploy-bot', 'deploy-*', true],
    ['deploy-', 'deploy-*', true],
    ['xdeploy-bot', 'deploy-*', false],
    ['a.b', 'a.b', true],
    // `.` and `+` are literal, not regular-expression syntax.
    ['axb', 'a.b', false],
    ['aab', 'a+b', false],
    ['alice', '*', true],
    ['bob@ops.example.com', '*@*.example.com', true],
    ['bob@example.com', '*@*.example.com', false]
  ])('%s against %s: %s', (userName, pattern, expected) => {
    expect(matchesPattern(userName, pattern)).toBe(expected)
  })

  it('reads one per line or comma-separated, blanks skipped, duplicates dropped', () => {
    expect(parsePatterns('approvers', 'alice@example.com, *@ops.example.com\n\n  bob\nbob,')).toEqual([
      'alice@example.com',
      '*@ops.example.com',
      'bob'
    ])
    expect(parsePatterns('approvers', '')).toEqual([])
  })

  it.each(['alice bob', 'a?b', '[ab]', 'ali$e', 'x'.repeat(129)])('refuses %j when the inputs are read, naming the input', (pattern) => {
    expect(() => parsePatterns('excluded-approvers', pattern)).toThrow(InputError)
    expect(() => parsePatterns('excluded-approvers', pattern)).toThrow(
      /^Input 'excluded-approvers' must list IAM Identity Center user names or patterns with \*/
    )
  })

  it('refuses an approvers pattern that allows anyone: the empty input says that', () => {
    expect(() => parsePatterns('approvers', '**')).toThrow(
      'Input \'approvers\' has the pattern "**", which allows anyone; leave the input empty for that.'
    )
    expect(parsePatterns('excluded-approvers', '*')).toEqual(['*'])
  })
})

describe('required-approvals', () => {
  it('is 1 to 5, empty meaning 1', () => {
    expect(parseRequiredApprovals('')).toBe(1)
    expect(parseRequiredApprovals('2')).toBe(2)
    expect(parseRequiredApprovals('5')).toBe(5)
    for (const raw of ['0', '6', '1.5', 'two', '-1', ' 2x']) {
      expect(() => parseRequiredApprovals(raw)).toThrow(/^Input 'required-approvals' must be a whole number from 1 to 5, like 2; got /)
    }
  })
})

describe('the verdict', () => {
  const policy = { approvers: ['*@example.com'], excluded: ['alice@example.com'], requiredApprovals: 2 }

  it('accepts an allowed person who has not approved yet', () => {
    expect(refusalReason('bob@example.com', policy, [])).toBeUndefined()
    expect(refusalReason('anyone', ANYONE, [])).toBeUndefined()
  })

  it('refuses an excluded person first, even when approvers allows them, ignoring case', () => {
    expect(refusalReason('ALICE@example.com', policy, [])).toBe("is excluded from approving this run (input 'excluded-approvers')")
  })

  it('refuses someone approvers does not name', () => {
    expect(refusalReason('mallory@evil.test', policy, [])).toBe("is not one of the approvers (input 'approvers')")
  })

  it('counts the same person once', () => {
    expect(refusalReason('Bob@example.com', policy, ['bob@example.com'])).toBe('has approved this request already')
  })

  it('needs the identity only for a policy that asks who approved', () => {
    expect(needsIdentity(ANYONE)).toBe(false)
    expect(needsIdentity({ ...ANYONE, requiredApprovals: 2 })).toBe(true)
    expect(needsIdentity({ ...ANYONE, excluded: ['a'] })).toBe(true)
    expect(needsIdentity({ ...ANYONE, approvers: ['a'] })).toBe(true)
  })
})
