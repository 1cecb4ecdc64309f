// The verification page as a person (HTML forms) and as CI (`curl -d user_code=…`) use it.
import { describe, expect, it } from '@jest/globals'
import { emulatorPerTest } from './lifecycle.js'
import { escapeHtml } from '../../emulator/device-page.js'
import { manualClock } from './clock.js'
import { createToken, registerAndStart } from './requests.js'

const start = emulatorPerTest()

/** What `curl -d user_code=X URL` sends. */
function curlPost(url: string, form: Record<string, string>, accept = '*/*'): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded', accept },
    body: new URLSearchParams(form).toString()
  })
}

describe('verification page', () => {
  it('GET /device offers a labelled code form and no script or external asset', async () => {
    const emu = await start()
    const response = await fetch(`${emu.endpoint}/device`)
    expect(response.status).toBe(200)
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8')
    expect(response.headers.get('content-security-policy')).toContain("default-src 'none'")
    const html = await response.text()
    expect(html).toMatch(/^<!doctype html><html lang="en">/)
    expect(html).toContain('<form method="get" action="/device">')
    expect(html).toContain('<label for="user_code">Code</label>')
    expect(html).toContain('id="user_code" name="user_code"')
    expect(html).not.toMatch(/<script|<link|src=|https?:\/\/(?!my-org)/)
  })

  it('the confirm page shows the client name, the start URL and the code, with Approve and Deny forms', async () => {
    const emu = await start()
    const started = await registerAndStart(emu.endpoint, {
      clientName: 'GitHub Actions acme/web',
      startUrl: 'https://acme.awsapps.com/start'
    })
    const response = await fetch(started.verificationUriComplete)
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('<h1>Authorize request</h1>')
    expect(html).toContain('<dd>GitHub Actions acme/web</dd>')
    expect(html).toContain('<dd>https://acme.awsapps.com/start</dd>')
    expect(html).toContain(`<code class="code">${started.userCode}</code>`)
    expect(html).toContain('<form method="post" action="/device/approve">')
    expect(html).toContain('<form method="post" action="/device/deny">')
    expect(html).toContain('<label for="user">Approve as</label>')
    expect(html.match(new RegExp(`name="user_code" value="${started.userCode}"`, 'g'))).toHaveLength(2)
    expect(html).toMatch(/<button type="submit" class="approve">Approve<\/button>/)
    expect(html).toMatch(/<button type="submit" class="deny">Deny<\/button>/)
    // Readable by a person, exact for a machine; and never mistaken for AWS's own page.
    expect(html).toMatch(
      /<dt>Expires<\/dt><dd><time datetime="\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z">\d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC<\/time><\/dd>/
    )
    expect(html).toContain('<p class="brand">IAM Identity Center emulator</p>')
    expect(html).toContain('aria-describedby="user-hint"')
    expect(html).toContain('<p id="user-hint" class="hint">')
    // The device code is the client's secret: the page must never show it.
    expect(html).not.toContain(started.deviceCode)
  })

  it('accepts a code typed in lower case without the hyphen', async () => {
    const emu = await start()
    const started = await registerAndStart(emu.endpoint)
    const typed = started.userCode.replace('-', '').toLowerCase()
    const html = await (await fetch(`${emu.endpoint}/device?user_code=${typed}`)).text()
    expect(html).toContain(`<code class="code">${started.userCode}</code>`)
  })

  it('escapes what the client controls', async () => {
    const emu = await start()
    const clientName = `<script>alert("x")</script>&'`
    const started = await registerAndStart(emu.endpoint, {
      clientName,
      startUrl: 'https://acme.awsapps.com/start?"><img src=x onerror=alert(1)>'
    })
    const html = await (await fetch(started.verificationUriComplete)).text()
    expect(html).not.toContain('<script>')
    expect(html).not.toContain('<img')
    expect(html).toContain('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;')
    expect(html).toContain('?&quot;&gt;&lt;img src=x onerror=alert(1)&gt;')
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;')

    // A typed code is reflected on the "not found" page: escaped too.
    const notFound = await (await fetch(`${emu.endpoint}/device?user_code=${encodeURIComponent('"><b>x')}`)).text()
    expect(notFound).not.toContain('<b>x')
    expect(notFound).toContain('value="&quot;&gt;&lt;b&gt;x"')
  })

  it('approves through the form post, as the chosen user, and the client then gets its token', async () => {
    const emu = await start({ interval: 0.05 })
    const started = await registerAndStart(emu.endpoint)
    const response = await curlPost(`${emu.endpoint}/device/approve`, { user_code: started.userCode, user: 'alice' })
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('<h1>Request approved</h1>')
    expect(html).toContain('<strong>alice</strong>')
    const token = await createToken(emu.endpoint, started)
    expect(token.status).toBe(200)
    expect(typeof token.json.accessToken).toBe('string')
  })

  it('denies through the form post, and the client then gets access_denied', async () => {
    const emu = await start()
    const started = await registerAndStart(emu.endpoint)
    const response = await curlPost(`${emu.endpoint}/device/deny`, { user_code: started.userCode })
    expect(response.status).toBe(200)
    expect(await response.text()).toContain('<h1>Request denied</h1>')
    const token = await createToken(emu.endpoint, started)
    expect(token.json.error).toBe('access_denied')
    // A decided request cannot be decided again.
    const again = await curlPost(`${emu.endpoint}/device/approve`, { user_code: started.userCode })
    expect(again.status).toBe(409)
    expect(await again.text()).toContain('This request was already denied.')
  })

  it('answers JSON when asked for it', async () => {
    const emu = await start()
    const started = await registerAndStart(emu.endpoint, { clientName: 'ci' })
    const pending = await fetch(started.verificationUriComplete, { headers: { accept: 'application/json' } })
    expect(await pending.json()).toEqual({
      result: 'pending',
      userCode: started.userCode,
      clientName: 'ci',
      startUrl: 'https://my-org.awsapps.com/start',
      expiresAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/)
    })
    const approved = await curlPost(`${emu.endpoint}/device/approve`, { user_code: started.userCode }, 'application/json')
    expect(approved.status).toBe(200)
    expect(approved.headers.get('content-type')).toBe('application/json')
    expect(await approved.json()).toMatchObject({ result: 'approved', userCode: started.userCode, user: 'demo-user' })

    const viaJsonBody = await fetch(`${emu.endpoint}/device/deny`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ user_code: 'BBBB-CCCC' })
    })
    expect(viaJsonBody.status).toBe(404)
    expect(await viaJsonBody.json()).toMatchObject({ result: 'unknown-code' })
  })

  it('shows unknown, missing, expired and invalid-client codes, and refuses to approve them', async () => {
    const clock = manualClock()
    const emu = await start({ now: clock.now, expiresIn: 60 })

    const unknown = await curlPost(`${emu.endpoint}/device/approve`, { user_code: 'BBBB-CCCC' })
    expect(unknown.status).toBe(404)
    expect(await unknown.text()).toContain('No request has this code.')

    const missing = await curlPost(`${emu.endpoint}/device/approve`, {})
    expect(missing.status).toBe(400)

    const stale = await registerAndStart(emu.endpoint)
    emu.expireRegistration(stale.clientId)
    const invalidPage = await fetch(stale.verificationUriComplete)
    expect(invalidPage.status).toBe(400)
    expect(await invalidPage.text()).toContain('<h1>Invalid client</h1>')
    const invalidApprove = await curlPost(`${emu.endpoint}/device/approve`, { user_code: stale.userCode })
    expect(invalidApprove.status).toBe(400)
    expect((await createToken(emu.endpoint, stale)).json.error).toBe('invalid_client')

    const late = await registerAndStart(emu.endpoint)
    clock.advance(60_000)
    const expiredPage = await fetch(late.verificationUriComplete)
    expect(expiredPage.status).toBe(410)
    expect(await expiredPage.text()).toContain('<h1>Code expired</h1>')
    expect((await curlPost(`${emu.endpoint}/device/approve`, { user_code: late.userCode })).status).toBe(410)
  })

  it('approves by itself after approveAfter seconds', async () => {
    const emu = await start({ approveAfter: 0.1, interval: 0.05 })
    const started = await registerAndStart(emu.endpoint)
    expect((await createToken(emu.endpoint, started)).json.error).toBe('authorization_pending')
    await new Promise((resolve) => setTimeout(resolve, 250))
    expect(emu.pending()).toEqual([])
    const token = await createToken(emu.endpoint, started)
    expect(token.status).toBe(200)
  })

  it('records page requests in the log but not among the AWS operations', async () => {
    const lines: string[] = []
    const emu = await start({ log: (line) => lines.push(line) })
    const started = await registerAndStart(emu.endpoint)
    await curlPost(`${emu.endpoint}/device/approve`, { user_code: started.userCode })
    expect(emu.requests.map((request) => request.operation)).toEqual(['RegisterClient', 'StartDeviceAuthorization'])
    expect(lines).toEqual([
      expect.stringMatching(/^POST \/client\/register RegisterClient 200 \d+ms$/),
      expect.stringMatching(/^POST \/device_authorization StartDeviceAuthorization 200 \d+ms$/),
      expect.stringMatching(/^POST \/device\/approve ApproveDevice 200 \d+ms$/)
    ])
    for (const secret of [started.clientSecret, started.deviceCode]) expect(lines.join('\n')).not.toContain(secret)
  })
})

describe('the verification page in each form StartDeviceAuthorization answers in', () => {
  it('current (default): the link names the request, and its page shows the code and asks to confirm it', async () => {
    const emu = await start()
    const started = await registerAndStart(emu.endpoint)
    expect(started.verificationUriComplete).toMatch(/\/platform\/authorize\?request_uri=/)
    expect(started.verificationUriComplete).not.toContain(started.userCode)
    const response = await fetch(started.verificationUriComplete)
    expect(response.status).toBe(200)
    const html = await response.text()
    expect(html).toContain('<h1>Authorize request</h1>')
    expect(html).toContain('<p class="confirm">Confirm that this code matches the one the application shows.</p>')
    expect(html).toContain(`<code class="code">${started.userCode}</code>`)
    expect(html).toContain('<form method="post" action="/device/approve">')
    const json = await (await fetch(started.verificationUriComplete, { headers: { accept: 'application/json' } })).json()
    expect(json).toMatchObject({ result: 'pending', userCode: started.userCode })
  })

  it('current: a link naming no known request is refused, and offers to enter the code', async () => {
    const emu = await start()
    for (const link of [`${emu.endpoint}/platform/authorize`, `${emu.endpoint}/platform/authorize?request_uri=urn%3Aforged`]) {
      const response = await fetch(link)
      expect(response.status).toBe(404)
      const html = await response.text()
      expect(html).toContain('<h1>Request not found</h1>')
      expect(html).toContain('<form method="get" action="/device">')
    }
  })

  it('current: once decided, the link says so instead of offering Approve again', async () => {
    const emu = await start()
    const started = await registerAndStart(emu.endpoint)
    emu.approve(started.userCode)
    const response = await fetch(started.verificationUriComplete)
    expect(response.status).toBe(409)
    expect(await response.text()).not.toContain('action="/device/approve"')
  })

  it('legacy: the complete link fills in the code on /device', async () => {
    const emu = await start({ verificationForm: 'legacy' })
    const started = await registerAndStart(emu.endpoint)
    expect(started.verificationUriComplete).toBe(`${emu.endpoint}/device?user_code=${started.userCode}`)
    const html = await (await fetch(started.verificationUriComplete)).text()
    expect(html).toContain(`<code class="code">${started.userCode}</code>`)
  })

  it('refuses an unknown form', async () => {
    await expect(start({ verificationForm: 'newest' as 'current' })).rejects.toThrow(
      'Emulator option verificationForm must be one of current, legacy, got newest'
    )
  })
})
