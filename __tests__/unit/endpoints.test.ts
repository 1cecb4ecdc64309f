import { describe, expect, it } from '@jest/globals'
import { SSOClient } from '@aws-sdk/client-sso'
import { SSOOIDCClient } from '@aws-sdk/client-sso-oidc'
import { EndpointConfigurationError, oidcEndpoint, portalEndpoint } from '../../src/oidc/endpoints.js'

const FIPS = { AWS_USE_FIPS_ENDPOINT: 'true' }
const DUAL = { AWS_USE_DUALSTACK_ENDPOINT: 'true' }

describe('oidcEndpoint: docs/protocol.md §1 host table', () => {
  it.each([
    ['us-east-1', {}, 'https://oidc.us-east-1.amazonaws.com'],
    ['eu-west-2', {}, 'https://oidc.eu-west-2.amazonaws.com'],
    ['us-east-1', FIPS, 'https://oidc-fips.us-east-1.amazonaws.com'],
    ['us-east-1', DUAL, 'https://oidc.us-east-1.api.aws'],
    ['us-east-1', { ...FIPS, ...DUAL }, 'https://oidc-fips.us-east-1.api.aws'],
    ['cn-north-1', {}, 'https://oidc.cn-north-1.amazonaws.com.cn'],
    ['cn-north-1', FIPS, 'https://oidc-fips.cn-north-1.amazonaws.com.cn'],
    ['cn-north-1', DUAL, 'https://oidc.cn-north-1.api.amazonwebservices.com.cn'],
    ['us-gov-west-1', {}, 'https://oidc.us-gov-west-1.amazonaws.com'],
    ['us-gov-west-1', FIPS, 'https://oidc.us-gov-west-1.amazonaws.com'],
    ['us-gov-east-1', { ...FIPS, ...DUAL }, 'https://oidc-fips.us-gov-east-1.api.aws'],
    ['us-iso-east-1', {}, 'https://oidc.us-iso-east-1.c2s.ic.gov'],
    ['us-isob-east-1', {}, 'https://oidc.us-isob-east-1.sc2s.sgov.gov'],
    ['eusc-de-east-1', {}, 'https://oidc.eusc-de-east-1.amazonaws.eu']
  ])('%s %j → %s', (region, env, expected) => {
    expect(oidcEndpoint(region, env)).toBe(expected)
  })
})

describe('portalEndpoint: docs/protocol.md §4 hosts', () => {
  it.each([
    ['us-east-1', {}, 'https://portal.sso.us-east-1.amazonaws.com'],
    ['us-east-1', FIPS, 'https://portal.sso-fips.us-east-1.amazonaws.com'],
    ['us-east-1', DUAL, 'https://portal.sso.us-east-1.api.aws'],
    ['cn-north-1', {}, 'https://portal.sso.cn-north-1.amazonaws.com.cn'],
    ['us-gov-west-1', {}, 'https://portal.sso.us-gov-west-1.amazonaws.com'],
    ['us-gov-west-1', FIPS, 'https://portal.sso.us-gov-west-1.amazonaws.com']
  ])('%s %j → %s', (region, env, expected) => {
    expect(portalEndpoint(region, env)).toBe(expected)
  })
})

describe('agreement with the AWS SDK endpoint rule sets', () => {
  // The SDK clients are devDependencies: their endpoint providers are the reference.
  const oidcRules = new SSOOIDCClient({ region: 'us-east-1' }).config.endpointProvider
  const portalRules = new SSOClient({ region: 'us-east-1' }).config.endpointProvider
  const regions = [
    'us-east-1',
    'us-west-2',
    'eu-central-1',
    'ap-southeast-2',
    'ca-west-1',
    'il-central-1',
    'mx-central-1',
    'sa-east-1',
    'cn-north-1',
    'cn-northwest-1',
    'us-gov-west-1',
    'us-gov-east-1',
    'us-iso-east-1',
    'us-iso-west-1',
    'us-isob-east-1',
    'eu-isoe-west-1',
    'us-isof-south-1',
    'eusc-de-east-1',
    'xx-unknown-1'
  ]
  const cases = regions.flatMap((region) =>
    [false, true].flatMap((fips) => [false, true].map((dualStack) => [region, fips, dualStack] as const))
  )

  it.each(cases)('%s fips=%s dualstack=%s', (region, fips, dualStack) => {
    const env = { AWS_USE_FIPS_ENDPOINT: String(fips), AWS_USE_DUALSTACK_ENDPOINT: String(dualStack) }
    const parameters = { Region: region, UseFIPS: fips, UseDualStack: dualStack }
    expect(oidcEndpoint(region, env)).toBe(oidcRules(parameters).url.href.replace(/\/$/, ''))
    expect(portalEndpoint(region, env)).toBe(portalRules(parameters).url.href.replace(/\/$/, ''))
  })
})

describe('endpoint overrides', () => {
  it('prefers the service variable, then the global one', () => {
    const env = {
      AWS_ENDPOINT_URL_SSO_OIDC: 'http://127.0.0.1:4000',
      AWS_ENDPOINT_URL_SSO: 'http://127.0.0.1:5000',
      AWS_ENDPOINT_URL: 'http://127.0.0.1:6000'
    }
    expect(oidcEndpoint('us-east-1', env)).toBe('http://127.0.0.1:4000')
    expect(portalEndpoint('us-east-1', env)).toBe('http://127.0.0.1:5000')
    expect(oidcEndpoint('us-east-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:6000/' })).toBe('http://127.0.0.1:6000')
    expect(portalEndpoint('us-east-1', { AWS_ENDPOINT_URL: 'https://proxy.example.com/sso/' })).toBe('https://proxy.example.com/sso')
  })

  it('ignores empty overrides', () => {
    expect(oidcEndpoint('us-east-1', { AWS_ENDPOINT_URL_SSO_OIDC: '  ', AWS_ENDPOINT_URL: '' })).toBe(
      'https://oidc.us-east-1.amazonaws.com'
    )
  })

  it('ignores every override when AWS_IGNORE_CONFIGURED_ENDPOINT_URLS=true', () => {
    expect(
      oidcEndpoint('us-east-1', { AWS_ENDPOINT_URL_SSO_OIDC: 'http://127.0.0.1:4000', AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' })
    ).toBe('https://oidc.us-east-1.amazonaws.com')
  })

  it('refuses FIPS or dual-stack with a custom endpoint, as the SDKs do', () => {
    expect(() => oidcEndpoint('us-east-1', { ...FIPS, AWS_ENDPOINT_URL_SSO_OIDC: 'http://127.0.0.1:4000' })).toThrow(
      EndpointConfigurationError
    )
    expect(() => portalEndpoint('us-east-1', { ...DUAL, AWS_ENDPOINT_URL: 'http://127.0.0.1:4000' })).toThrow(
      /AWS_USE_DUALSTACK_ENDPOINT=true cannot be combined with a custom endpoint \(AWS_ENDPOINT_URL\)/
    )
  })

  it.each([
    ['not a URL', 'oidc.local:4000'],
    ['another scheme', 'ftp://127.0.0.1/'],
    ['a query string', 'https://example.com/?x=1'],
    ['credentials', 'https://user:pass@example.com']
  ])('refuses an override that is %s', (_problem, value) => {
    expect(() => oidcEndpoint('us-east-1', { AWS_ENDPOINT_URL_SSO_OIDC: value })).toThrow(/AWS_ENDPOINT_URL_SSO_OIDC/)
  })
})

describe('settings that cannot be used', () => {
  it('accepts true/false in any case and refuses anything else', () => {
    expect(oidcEndpoint('us-east-1', { AWS_USE_FIPS_ENDPOINT: 'TRUE' })).toBe('https://oidc-fips.us-east-1.amazonaws.com')
    expect(oidcEndpoint('us-east-1', { AWS_USE_FIPS_ENDPOINT: 'False' })).toBe('https://oidc.us-east-1.amazonaws.com')
    expect(() => oidcEndpoint('us-east-1', { AWS_USE_FIPS_ENDPOINT: '1' })).toThrow(
      'AWS_USE_FIPS_ENDPOINT must be "true" or "false", got "1"'
    )
  })

  it.each(['', 'US-EAST-1', 'us-east-1.evil.com', 'us-east-1/', 'us east 1', '-us-east-1'])('refuses the region %j', (region) => {
    expect(() => oidcEndpoint(region, {})).toThrow(EndpointConfigurationError)
  })

  it('reads process.env by default', () => {
    const saved = process.env.AWS_ENDPOINT_URL_SSO_OIDC
    process.env.AWS_ENDPOINT_URL_SSO_OIDC = 'http://127.0.0.1:4321'
    try {
      expect(oidcEndpoint('us-east-1')).toBe('http://127.0.0.1:4321')
    } finally {
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SSO_OIDC
      else process.env.AWS_ENDPOINT_URL_SSO_OIDC = saved
    }
  })
})
