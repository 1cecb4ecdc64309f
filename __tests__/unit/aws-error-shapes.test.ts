// What awsErrorFromResponse believes of an error response, edge by edge: the shapes it keeps (an
// error type, a request ID, a description) end exactly where AWS's own end, and every place an
// error type may come from is read in the SDKs' order.
import { describe, expect, it } from '@jest/globals'
import { awsDescription, awsErrorFromResponse, shapeName, type ErrorResponse } from '../../src/http/aws-error.js'

const ENDPOINT = 'https://oidc.us-east-1.amazonaws.com/token'

function fromResponse(headers: ErrorResponse['headers'], body: unknown, status = 400) {
  return awsErrorFromResponse({ operation: 'CreateToken', endpoint: ENDPOINT, status, headers, body, now: 0 })
}

describe('shapeName: the shape of an AWS error type', () => {
  it.each([
    ['Abc', 'the shortest'],
    [`A${'b'.repeat(63)}`, '64 characters, the longest'],
    ['Invalid2Exception', 'with digits']
  ])('keeps %j (%s)', (name) => {
    expect(shapeName(name)).toBe(name)
  })

  it.each([
    ['Ab', 'two characters'],
    [`A${'b'.repeat(64)}`, '65 characters'],
    ['invalidClientException', 'a lower-case start'],
    ['9Exception', 'a digit first'],
    ['Invalid-Exception', 'a dash'],
    ['Invalid_Exception', 'an underscore'],
    ['xInvalidException', 'a lower-case letter before the name'],
    ['InvalidException!', 'a character after the name'],
    ['', 'nothing']
  ])('refuses %j (%s)', (name) => {
    expect(shapeName(name)).toBeUndefined()
  })

  it('takes the part after the last #, before any : or , and trims it', () => {
    expect(shapeName('com.amazonaws#a#ThrottlingException')).toBe('ThrottlingException')
    expect(shapeName(' ThrottlingException :http://internal')).toBe('ThrottlingException')
    expect(shapeName('ns#ThrottlingException,Other:x')).toBe('ThrottlingException')
    expect(shapeName('#ThrottlingException')).toBe('ThrottlingException')
  })
})

describe('awsErrorFromResponse: where the error type comes from', () => {
  it('reads the header before the OAuth error, the OAuth error before __type, __type before code', () => {
    const body = { error: 'invalid_grant', __type: 'ns#TypeException', code: 'CodeException' }
    expect(fromResponse({ 'x-amzn-errortype': 'HeaderException' }, body).code).toBe('HeaderException')
    expect(fromResponse({}, body).code).toBe('InvalidGrantException')
    expect(fromResponse({}, { ...body, error: undefined }).code).toBe('TypeException')
    expect(fromResponse({}, { code: 'CodeException', Code: 'OtherException' }).code).toBe('CodeException')
    expect(fromResponse({}, { Code: 'OtherException' }).code).toBe('OtherException')
  })

  it.each(['constructor', 'toString', '__proto__', 'hasOwnProperty'])(
    'takes an OAuth error of %s, a name every object inherits, for no OAuth error',
    (name) => {
      const error = fromResponse({}, { error: name, __type: 'ns#TypeException' })
      expect(error.code).toBe('TypeException')
      expect(error.oauthError).toBeUndefined()
      expect(fromResponse({}, { error: name }).code).toBe('UnknownError')
    }
  )

  it('passes over a header or __type that is not a shape for the next source', () => {
    expect(fromResponse({ 'x-amzn-errortype': 'not a shape' }, { error: 'slow_down' }).code).toBe('SlowDownException')
    expect(fromResponse({}, { __type: 'not a shape', code: 'CodeException' }).code).toBe('CodeException')
  })

  it('reads the first value of a header sent twice', () => {
    const error = fromResponse(
      {
        'x-amzn-errortype': ['FirstException', 'SecondException'],
        'x-amzn-requestid': ['e1f2a3b4-0001', 'e1f2a3b4-0002'],
        'retry-after': ['2', '9']
      },
      {}
    )
    expect(error).toMatchObject({ code: 'FirstException', requestId: 'e1f2a3b4-0001', retryAfterMs: 2_000 })
  })

  it('ignores fields that are empty or not strings', () => {
    const error = fromResponse({}, { error: '', __type: 42, code: '', Code: 'CodeException', error_description: '', message: 'Kept' })
    expect(error).toMatchObject({ code: 'CodeException', description: 'Kept' })
    expect(error.oauthError).toBeUndefined()
    expect(fromResponse({}, { error: ['invalid_grant'] }).code).toBe('UnknownError')
  })

  it.each([
    ['null', null],
    ['an array', ['invalid_grant']],
    ['a string', 'invalid_grant'],
    ['nothing', undefined]
  ])('reads a body that is %s as one without fields', (_what, body) => {
    const error = fromResponse({}, body, 503)
    expect(error).toMatchObject({ code: 'UnknownError', status: 503 })
    expect(error.oauthError).toBeUndefined()
    expect(error.description).toBeUndefined()
  })

  it('takes the description from error_description, else message, else Message', () => {
    expect(fromResponse({}, { error_description: 'First', message: 'Second', Message: 'Third' }).description).toBe('First')
    expect(fromResponse({}, { message: 'Second', Message: 'Third' }).description).toBe('Second')
    expect(fromResponse({}, { Message: 'Third' }).description).toBe('Third')
  })
})

describe('awsErrorFromResponse: a request ID only in its shape', () => {
  it.each(['abcd-123', 'A'.repeat(64), 'e1f2a3b4-0000-4000-8000-000000000001'])('keeps %j', (id) => {
    expect(fromResponse({ 'x-amzn-requestid': id }, {}).requestId).toBe(id)
  })

  it.each(['abcd123', 'A'.repeat(65), 'abcd-123!', '!abcd-123', 'abcd_1234', 'abcd 1234'])('drops %j', (id) => {
    expect(fromResponse({ 'x-amzn-requestid': id }, {}).requestId).toBeUndefined()
  })
})

describe('awsDescription: prose as AWS writes it', () => {
  it.each([
    'A',
    'x'.repeat(23),
    'key abc+def/ghi=jkl_mno-pqr',
    `${'word '.repeat(59)}abcde`,
    `Invalid value (at 'clientName': "x"); see [docs] {1} & more? Yes! #2 a@b c*d e+f=g h/i_j-k.`
  ])('keeps %j', (text) => {
    expect(awsDescription(text)).toBe(text)
  })

  it.each([
    ['nothing', undefined],
    ['the empty text', ''],
    ['301 characters', `${'word '.repeat(60)}a`],
    ['a run of 24 base64 characters', `token ${'a'.repeat(24)}`],
    ['a run of 24 characters of the base64 and URL alphabets', 'key abc+def/ghi=jkl_mno-pqrs'],
    ['a line break at the end', 'Bad request\n'],
    ['a line break at the start', '\nBad request'],
    ['a character outside the prose set', 'Bad <request>'],
    ['a tab', 'Bad\trequest']
  ])('drops %s', (_what, text) => {
    expect(awsDescription(text)).toBeUndefined()
  })
})
