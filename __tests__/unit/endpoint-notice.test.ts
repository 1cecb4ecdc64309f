// The warning next to the code when a request does not go to AWS's own endpoints: when it is
// given (an endpoint variable, a verification link on a host that is not AWS's), what it names
// (the variable, the origin, the host: never credentials, a path or a query), and that every
// channel shows it beside the code, and none shows it for a request on AWS's hosts.
import { describe, expect, it } from '@jest/globals'
import { isAwsHost } from '../../src/oidc/aws-hosts.js'
import { endpointOverrides } from '../../src/oidc/endpoints.js'
import { renderComment } from '../../src/notify/comment-body.js'
import { endpointNotice, noticeFor, noticeLine, noticeText } from '../../src/notify/endpoint-notice.js'
import { renderLogPrompt } from '../../src/notify/log.js'
import { renderPendingSummary, renderSummary } from '../../src/notify/summary.js'
import { looksLikeCommand } from '../../src/text/sanitize.js'
import { approvalRequest, NOW } from './notify-fixtures.js'

const AWS_LINKS = [
  'https://device.sso.us-east-1.amazonaws.com/',
  'https://device.sso.us-east-1.amazonaws.com/?user_code=WDJB-MJHT',
  'https://device.sso.cn-north-1.amazonaws.com.cn/',
  'https://device.sso.us-gov-west-1.amazonaws.com/',
  'https://d-1234567890.awsapps.com/start/#/device?user_code=WDJB-MJHT',
  'https://ssoins-7223a1f6a6b00aa1.portal.eu-west-1.app.aws/#/device',
  'https://us-east-1.signin.aws/platform/device',
  // Today's link (docs/protocol.md §1), and the alternative IPv4 regional portal's device page.
  'https://us-east-1.signin.aws/platform/authorize?request_uri=urn%3Aietf%3Aparams%3Aoauth%3Arequest_uri%3AQkFTRTY0',
  'https://ssoins-111111h2222j33pp.eu-west-1.portal.amazonaws.com/#/device',
  'https://ssoins-1.cn-north-1.portal.amazonaws.com.cn/#/device',
  'https://view.awsapps.com/start/#/device'
]

describe('isAwsHost / endpointNotice: which links are AWS’s', () => {
  it.each(AWS_LINKS)('%s is AWS’s own: no notice', (link) => {
    expect(endpointNotice([], [link])).toBeUndefined()
  })

  it.each([
    // Rentable by anyone under an AWS domain: an S3 website, an API Gateway stage.
    ['https://phish.s3-website-us-east-1.amazonaws.com/device', 'phish.s3-website-us-east-1.amazonaws.com'],
    ['https://abc123.execute-api.us-east-1.amazonaws.com/device', 'abc123.execute-api.us-east-1.amazonaws.com'],
    // Look-alikes.
    ['https://device.sso.us-east-1.amazonaws.com.evil.example/', 'device.sso.us-east-1.amazonaws.com.evil.example'],
    ['https://d-1234567890.awsapps.com.evil.example/start', 'd-1234567890.awsapps.com.evil.example'],
    ['https://a.b.awsapps.com/start', 'a.b.awsapps.com'],
    ['https://x.eu-west-1.portal.amazonaws.com.evil.example/', 'x.eu-west-1.portal.amazonaws.com.evil.example'],
    ['https://a.b.eu-west-1.portal.amazonaws.com/', 'a.b.eu-west-1.portal.amazonaws.com'],
    ['https://amazonaws.com/', 'amazonaws.com'],
    // Not https, or another port: not the page AWS serves.
    ['http://device.sso.us-east-1.amazonaws.com/', 'device.sso.us-east-1.amazonaws.com'],
    ['https://device.sso.us-east-1.amazonaws.com:8443/', 'device.sso.us-east-1.amazonaws.com:8443'],
    ['http://127.0.0.1:8787/device?user_code=WDJB-MJHT', '127.0.0.1:8787']
  ])('%s is not: the notice names %s', (link, host) => {
    expect(endpointNotice([], [AWS_LINKS[0]!, link])).toEqual({ overrides: [], linkHosts: [host] })
  })

  it('names each host once, and never the credentials, path or query of a link', () => {
    const notice = endpointNotice([], ['https://user:hunter2@evil.example/device?token=SECRET#x', 'https://evil.example/other'])
    expect(notice).toEqual({ overrides: [], linkHosts: ['evil.example'] })
    const text = JSON.stringify(noticeText(notice!)) + noticeLine(notice!)
    for (const secret of ['user', 'hunter2', 'token', 'SECRET', '/device']) expect(text).not.toContain(secret)
  })

  it('is case- and trailing-dot-blind, as DNS is', () => {
    expect(isAwsHost('Device.SSO.us-east-1.AmazonAWS.com.')).toBe(true)
    expect(isAwsHost('device.sso.us-east-1.amazonaws.co')).toBe(false)
  })
})

describe('endpointOverrides: which variables move an endpoint', () => {
  it('names the variable in effect per service, as origin only', () => {
    expect(
      endpointOverrides({ AWS_ENDPOINT_URL_SSO_OIDC: 'http://127.0.0.1:8787/prefix/', AWS_ENDPOINT_URL_SSO: 'https://proxy.example.com' })
    ).toEqual([
      { variable: 'AWS_ENDPOINT_URL_SSO_OIDC', service: 'SSO OIDC', origin: 'http://127.0.0.1:8787' },
      { variable: 'AWS_ENDPOINT_URL_SSO', service: 'SSO portal', origin: 'https://proxy.example.com' }
    ])
  })

  it('AWS_ENDPOINT_URL moves both; the specific variable wins where set', () => {
    expect(endpointOverrides({ AWS_ENDPOINT_URL: 'https://all.example', AWS_ENDPOINT_URL_SSO: 'https://portal.example' })).toEqual([
      { variable: 'AWS_ENDPOINT_URL', service: 'SSO OIDC', origin: 'https://all.example' },
      { variable: 'AWS_ENDPOINT_URL_SSO', service: 'SSO portal', origin: 'https://portal.example' }
    ])
  })

  it('none without variables, or when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS is true', () => {
    expect(endpointOverrides({})).toEqual([])
    expect(endpointOverrides({ AWS_ENDPOINT_URL: 'https://all.example', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })).toEqual([])
  })

  it('an override is a notice even when every link is AWS’s', () => {
    const overrides = endpointOverrides({ AWS_ENDPOINT_URL_SSO_OIDC: 'https://oidc.example' })
    expect(noticeFor(approvalRequest(), overrides)).toEqual({ overrides, linkHosts: [] })
  })
})

describe('the notice in every channel', () => {
  const notice = {
    overrides: [{ variable: 'AWS_ENDPOINT_URL_SSO_OIDC', service: 'SSO OIDC', origin: 'http://127.0.0.1:8787' }],
    linkHosts: ['127.0.0.1:8787']
  }
  const warned = approvalRequest({ endpointNotice: notice })
  const plainAws = approvalRequest()
  const sentences = [
    'AWS_ENDPOINT_URL_SSO_OIDC sends the SSO OIDC calls to http://127.0.0.1:8787, not to AWS.',
    'The verification link goes to 127.0.0.1:8787, which is not an AWS host.'
  ]

  it('the log: right under the code and the link, before anything else', () => {
    const lines = renderLogPrompt(warned, NOW).split('\n')
    const code = lines.indexOf('         WDJB-MJHT')
    expect(lines.slice(code + 2, code + 6)).toEqual([
      "  !!! WARNING: This request does not go to AWS's own endpoints.",
      `  !!! ${sentences[0]}`,
      `  !!! ${sentences[1]}`,
      '  !!! If you did not expect this (an emulator or a proxy your team set up), do not approve: deny the request and tell whoever runs this workflow.'
    ])
  })

  it('the job summary: the pending prompt and the record, both beside the code', () => {
    for (const html of [
      renderPendingSummary(warned),
      renderSummary({ subject: warned, request: warned, result: { outcome: 'denied', at: NOW } })
    ]) {
      expect(html).toContain(
        '<p>🛑 <strong>This request does not go to AWS&#39;s own endpoints.</strong> AWS_ENDPOINT_URL_SSO_OIDC sends the SSO OIDC calls to http://127.0.0.1:8787, not to AWS.'
      )
      expect(html).toContain('do not approve')
    }
  })

  it('the PR comment: a quote under the code, escaped', () => {
    const body = renderComment(warned, 'pending')
    const lines = body.split('\n')
    const code = lines.findIndex((line) => line.startsWith('**Code:**'))
    expect(lines[code + 2]).toBe("> 🛑 **This request does not go to AWS's own endpoints\\.**")
    expect(lines[code + 3]).toBe(
      '> AWS\\_ENDPOINT\\_URL\\_SSO\\_OIDC sends the SSO OIDC calls to http\\://127\\.0\\.0\\.1\\:8787, not to AWS\\.'
    )
    // Outcomes show no code and no link: nothing to warn about.
    expect(renderComment(warned, 'denied')).not.toContain('🛑')
  })

  it('no channel warns for a request on AWS’s own hosts without overrides', () => {
    const rendered = [
      renderLogPrompt(plainAws, NOW),
      renderPendingSummary(plainAws),
      renderSummary({ subject: plainAws, request: plainAws, result: { outcome: 'approved', at: NOW } }),
      renderComment(plainAws, 'pending')
    ]
    for (const text of rendered) {
      expect(text).not.toContain('own endpoints')
      expect(text).not.toContain('not an AWS host')
      expect(text).not.toContain('🛑')
    }
  })

  it('outside text in a notice is sanitised: no line break, no workflow command', () => {
    const hostile = {
      overrides: [{ variable: 'X', service: 'SSO OIDC', origin: 'https://a.example\n::stop-commands::x' }],
      linkHosts: ['b.example\u202e\r\n##[add-mask]y']
    }
    const log = renderLogPrompt(approvalRequest({ endpointNotice: hostile }), NOW)
    for (const line of log.split('\n')) expect(looksLikeCommand(line)).toBe(false)
    expect(noticeLine(hostile)).not.toMatch(/[\n\r\u202e]|##\[/)
  })
})
