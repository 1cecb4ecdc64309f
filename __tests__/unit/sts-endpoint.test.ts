// Where STS is called: the regional endpoint per partition, FIPS, dual-stack and the override
// variables, held to the AWS SDK's own STS endpoint rule set (@aws-sdk/client-sts).
import { describe, expect, it } from '@jest/globals'
import { STSClient } from '@aws-sdk/client-sts'
import { EndpointConfigurationError } from '../../src/oidc/endpoints.js'
import { stsEndpoint, stsEndpointOverride } from '../../src/sts/endpoint.js'

const FIPS = { AWS_USE_FIPS_ENDPOINT: 'true' }
const DUAL = { AWS_USE_DUALSTACK_ENDPOINT: 'true' }

describe('stsEndpoint', () => {
  it.each([
    ['us-east-1', {}, 'https://sts.us-east-1.amazonaws.com'],
    ['eu-west-1', FIPS, 'https://sts-fips.eu-west-1.amazonaws.com'],
    ['eu-west-1', DUAL, 'https://sts.eu-west-1.api.aws'],
    ['eu-west-1', { ...FIPS, ...DUAL }, 'https://sts-fips.eu-west-1.api.aws'],
    ['cn-north-1', {}, 'https://sts.cn-north-1.amazonaws.com.cn'],
    ['us-gov-west-1', FIPS, 'https://sts.us-gov-west-1.amazonaws.com'],
    ['us-iso-east-1', {}, 'https://sts.us-iso-east-1.c2s.ic.gov'],
    ['eusc-de-east-1', {}, 'https://sts.eusc-de-east-1.amazonaws.eu']
  ])('%s %j → %s, signed for the region', (region, env, expected) => {
    expect(stsEndpoint(region, env)).toEqual({ url: expected, signingRegion: region })
  })

  it('agrees with the SDK rule set for every partition, FIPS and dual-stack', () => {
    const rules = new STSClient({ region: 'us-east-1' }).config.endpointProvider
    const regions = [
      'us-east-1',
      'eu-central-1',
      'ap-south-1',
      'mx-central-1',
      'cn-northwest-1',
      'us-gov-east-1',
      'us-iso-west-1',
      'us-isob-east-1',
      'eu-isoe-west-1',
      'us-isof-south-1',
      'eusc-de-east-1'
    ]
    let compared = 0
    for (const region of regions)
      for (const fips of [false, true])
        for (const dualStack of [false, true]) {
          const env = { AWS_USE_FIPS_ENDPOINT: String(fips), AWS_USE_DUALSTACK_ENDPOINT: String(dualStack) }
          const sdk = rules({ Region: region, UseFIPS: fips, UseDualStack: dualStack, UseGlobalEndpoint: false }).url.href.replace(
            /\/$/,
            ''
          )
          expect([region, fips, dualStack, stsEndpoint(region, env).url]).toEqual([region, fips, dualStack, sdk])
          compared++
        }
    expect(compared).toBe(regions.length * 4)
  })

  it('takes AWS_ENDPOINT_URL_STS before AWS_ENDPOINT_URL, and neither with AWS_IGNORE_CONFIGURED_ENDPOINT_URLS', () => {
    const env = { AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:4000/sts/', AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' }
    expect(stsEndpoint('eu-west-1', env)).toEqual({ url: 'http://127.0.0.1:4000/sts', signingRegion: 'eu-west-1' })
    expect(stsEndpointOverride(env)).toEqual({ variable: 'AWS_ENDPOINT_URL_STS', service: 'STS', origin: 'http://127.0.0.1:4000' })
    expect(stsEndpoint('eu-west-1', { AWS_ENDPOINT_URL: 'http://127.0.0.1:5000' }).url).toBe('http://127.0.0.1:5000')
    expect(stsEndpoint('eu-west-1', { ...env, AWS_IGNORE_CONFIGURED_ENDPOINT_URLS: 'true' }).url).toBe(
      'https://sts.eu-west-1.amazonaws.com'
    )
    expect(stsEndpointOverride({ AWS_ENDPOINT_URL_SSO: 'http://127.0.0.1:4000' })).toBeUndefined()
  })

  it('refuses FIPS with a custom endpoint, a bad switch, a host-changing region and the global pseudo-region', () => {
    expect(() => stsEndpoint('us-east-1', { ...FIPS, AWS_ENDPOINT_URL_STS: 'http://127.0.0.1:4000' })).toThrow(
      /AWS_USE_FIPS_ENDPOINT=true cannot be combined with a custom endpoint \(AWS_ENDPOINT_URL_STS\)/
    )
    expect(() => stsEndpoint('us-east-1', { AWS_USE_FIPS_ENDPOINT: 'yes' })).toThrow(EndpointConfigurationError)
    expect(() => stsEndpoint('evil.example.com/', {})).toThrow(/is not an AWS region name/)
    expect(() => stsEndpoint('aws-global', {})).toThrow(/legacy global endpoint: use a regional name/)
  })
})
