// The verification page a person uses to approve or deny a device authorization: the emulator's
// stand-in for the AWS consent page. Plain semantic HTML with labels and inline CSS, no script and
// no external asset, so it works in any browser, from curl, and under a strict CSP. Every value
// that reaches the HTML is escaped: the client name and start URL come from the requesting client.
import { USER_NAME, type Directory } from './directory.js'
import type { Reply } from './errors.js'
import type { Authorization, CodeLookup, DecisionResult, Store } from './store.js'

export { DEFAULT_USER } from './directory.js'
const MAX_USER_LENGTH = 64

export interface PageRequest {
  /** The request's Accept header: JSON replies for scripts that ask for them, HTML otherwise. */
  accept: string | undefined
  /** Who may approve, and who approves when the form names nobody. */
  directory: Directory
}

/** `GET /device` and `GET /device?user_code=…`. */
export function showDevicePage(store: Store, request: PageRequest, userCode: string | null): Reply {
  const json = wantsJson(request.accept)
  if (userCode === null || userCode.trim() === '') {
    return json
      ? jsonReply(400, { result: 'missing-code', message: 'Pass the code as user_code.' })
      : htmlReply(200, 'Enter your code', enterCodeForm())
  }
  const lookup = store.lookupUserCode(userCode)
  if (lookup.kind === 'pending') {
    return json
      ? jsonReply(200, { result: 'pending', ...describe(lookup.authorization, lookup.clientName) })
      : htmlReply(200, 'Authorize request', confirmForm(lookup.authorization, lookup.clientName, request.directory))
  }
  return outcomeReply(json, lookup, userCode, request.directory)
}

/** `POST /device/approve` and `POST /device/deny`, from the page's forms, curl or a script. */
export function decideFromPage(store: Store, request: PageRequest, decision: 'approve' | 'deny', form: Record<string, string>): Reply {
  const json = wantsJson(request.accept)
  const userCode = form.user_code?.trim() ?? ''
  if (userCode === '') {
    return json
      ? jsonReply(400, { result: 'missing-code', message: 'Pass the code as user_code.' })
      : htmlReply(400, 'Enter your code', enterCodeForm('Enter the code shown by the application.'))
  }
  const user = form.user?.trim() || request.directory.defaultUser
  if (user.length > MAX_USER_LENGTH) {
    return json
      ? jsonReply(400, { result: 'invalid-user', message: `The user name is longer than ${MAX_USER_LENGTH} characters.` })
      : htmlReply(400, 'Invalid user name', `<p>The user name is longer than ${MAX_USER_LENGTH} characters.</p>`)
  }
  // The name becomes the role session's name, which STS allows only these characters.
  if (!USER_NAME.test(user)) {
    const message = 'A user name is 2 to 64 letters, digits or + = , . @ _ - (it names the role session).'
    return json ? jsonReply(400, { result: 'invalid-user', message }) : htmlReply(400, 'Invalid user name', `<p>${escapeHtml(message)}</p>`)
  }
  if (decision === 'approve' && !request.directory.accountsOf(user)) {
    const message = `The directory has no user ${user}: approve as one of ${request.directory.users.map((known) => known.userName).join(', ')}.`
    return json
      ? jsonReply(400, { result: 'unknown-user', message })
      : htmlReply(400, 'Unknown user', `<p role="alert">${escapeHtml(message)}</p>`)
  }
  return outcomeReply(json, store.decide(userCode, decision, user), userCode, request.directory)
}

/** Parses a form post body: urlencoded (browsers, `curl -d`) or a JSON object (scripts). */
export function parseForm(contentType: string | undefined, body: Buffer): Record<string, string> {
  const text = body.toString('utf8')
  if (contentType?.includes('application/json')) {
    try {
      const parsed: unknown = JSON.parse(text)
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) {
        const out: Record<string, string> = {}
        for (const [key, value] of Object.entries(parsed)) if (typeof value === 'string') out[key] = value
        return out
      }
    } catch {
      // A body that is not JSON carries no code: the page answers "enter the code".
    }
    return {}
  }
  return Object.fromEntries(new URLSearchParams(text))
}

export function escapeHtml(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;').replaceAll('"', '&quot;').replaceAll("'", '&#39;')
}

function outcomeReply(json: boolean, result: DecisionResult | CodeLookup, typedCode: string, directory: Directory): Reply {
  switch (result.kind) {
    case 'approved':
      return json
        ? jsonReply(200, { result: 'approved', ...describe(result.authorization, result.clientName), user: result.authorization.user })
        : htmlReply(
            200,
            'Request approved',
            `<p role="status">You approved the request from <strong>${escapeHtml(result.clientName)}</strong> ` +
              `(code <code>${escapeHtml(result.authorization.userCode)}</code>) as ` +
              `<strong>${escapeHtml(result.authorization.user ?? directory.defaultUser)}</strong>.</p>` +
              '<p>You can close this window: the application continues by itself.</p>'
          )
    case 'denied':
      return json
        ? jsonReply(200, { result: 'denied', ...describe(result.authorization, result.clientName) })
        : htmlReply(
            200,
            'Request denied',
            `<p role="status">You denied the request from <strong>${escapeHtml(result.clientName)}</strong> ` +
              `(code <code>${escapeHtml(result.authorization.userCode)}</code>). It gets no access.</p>`
          )
    case 'already-decided': {
      const state = result.authorization.state === 'denied' ? 'denied' : 'approved'
      const message = `This request was already ${state}.`
      return json
        ? jsonReply(409, { result: 'already-decided', state, ...describe(result.authorization, result.clientName), message })
        : htmlReply(409, `Request already ${state}`, `<p role="status">${escapeHtml(message)}</p>`)
    }
    case 'unknown-code': {
      const message = 'No request has this code. Check the code and try again.'
      return json
        ? jsonReply(404, { result: 'unknown-code', userCode: typedCode, message })
        : htmlReply(404, 'Code not found', enterCodeForm(message, typedCode))
    }
    case 'expired': {
      const message = 'This code has expired. Ask the application to start a new request.'
      return json
        ? jsonReply(410, { result: 'expired', userCode: result.authorization.userCode, message })
        : htmlReply(410, 'Code expired', `<p role="alert">${escapeHtml(message)}</p>`)
    }
    case 'invalid-client': {
      // What AWS shows for a request made with an expired client registration.
      const message =
        'Invalid client. The application that made this request is no longer registered; it must register again and start a new request.'
      return json
        ? jsonReply(400, { result: 'invalid-client', userCode: result.authorization.userCode, message })
        : htmlReply(400, 'Invalid client', `<p role="alert">${escapeHtml(message)}</p>`)
    }
    case 'pending':
      return json
        ? jsonReply(200, { result: 'pending', ...describe(result.authorization, result.clientName) })
        : htmlReply(200, 'Authorize request', confirmForm(result.authorization, result.clientName, directory))
  }
}

function describe(authorization: Authorization, clientName: string): Record<string, string> {
  return {
    userCode: authorization.userCode,
    clientName,
    startUrl: authorization.startUrl,
    expiresAt: new Date(authorization.expiresAt).toISOString()
  }
}

function enterCodeForm(problem?: string, typedCode = ''): string {
  const alert = problem ? `<p role="alert" class="problem">${escapeHtml(problem)}</p>` : ''
  return (
    alert +
    '<p>Enter the code shown by the application that asks for access.</p>' +
    '<form method="get" action="/device">' +
    '<label for="user_code">Code</label>' +
    `<input id="user_code" name="user_code" value="${escapeHtml(typedCode)}" placeholder="ABCD-EFGH" ` +
    'autocomplete="off" autocapitalize="characters" spellcheck="false" required autofocus>' +
    '<button type="submit">Next</button>' +
    '</form>'
  )
}

function confirmForm(authorization: Authorization, clientName: string, directory: Directory): string {
  const code = escapeHtml(authorization.userCode)
  return (
    `<p><strong>${escapeHtml(clientName)}</strong> asks for access to your AWS accounts through IAM Identity Center.</p>` +
    '<dl>' +
    `<dt>Application</dt><dd>${escapeHtml(clientName)}</dd>` +
    `<dt>Start URL</dt><dd>${escapeHtml(authorization.startUrl)}</dd>` +
    `<dt>Code</dt><dd><code class="code">${code}</code></dd>` +
    `<dt>Expires</dt><dd><time datetime="${new Date(authorization.expiresAt).toISOString()}">` +
    `${readableUtc(authorization.expiresAt)}</time></dd>` +
    '</dl>' +
    '<p class="warning">Approve only if you started this request and the code matches the one the application shows.</p>' +
    '<div class="actions">' +
    '<form method="post" action="/device/approve">' +
    `<input type="hidden" name="user_code" value="${code}">` +
    '<label for="user">Approve as</label>' +
    `<input id="user" name="user" value="${escapeHtml(directory.defaultUser)}" maxlength="${MAX_USER_LENGTH}" autocomplete="username" aria-describedby="user-hint">` +
    '<button type="submit" class="approve">Approve</button>' +
    '</form>' +
    '<form method="post" action="/device/deny">' +
    `<input type="hidden" name="user_code" value="${code}">` +
    '<button type="submit" class="deny">Deny</button>' +
    '</form>' +
    '</div>' +
    '<p id="user-hint" class="hint">The emulator has no sign-in: the name you approve as is recorded as the approver' +
    (directory.shared
      ? '.</p>'
      : `; its directory lists ${directory.users.map((user) => `<code>${escapeHtml(user.userName)}</code>`).join(', ')}.</p>`)
  )
}

/** "2026-05-01 12:10:00 UTC": what a person reads; the ISO form stays in the datetime attribute. */
function readableUtc(epochMs: number): string {
  return `${new Date(epochMs).toISOString().slice(0, 19).replace('T', ' ')} UTC`
}

const STYLE = [
  'body{font-family:system-ui,sans-serif;margin:0;background:#f4f5f7;color:#16191f}',
  'main{max-width:34rem;margin:3rem auto;background:#fff;padding:2rem;border-radius:8px;border:1px solid #d5dbdb}',
  'h1{font-size:1.5rem;margin-top:0}',
  'dl{display:grid;grid-template-columns:max-content 1fr;gap:.4rem 1rem}dt{font-weight:600}dd{margin:0;overflow-wrap:anywhere}',
  '.code{font-size:1.4rem;letter-spacing:.15em}',
  '.warning{background:#fff7e0;border-left:4px solid #e0a800;padding:.5rem .8rem}',
  '.problem{background:#fdecea;border-left:4px solid #d13212;padding:.5rem .8rem}',
  'label{display:block;font-weight:600;margin:.8rem 0 .3rem}',
  'input{font-size:1rem;padding:.4rem;border:1px solid #879596;border-radius:4px}',
  'button{font-size:1rem;padding:.5rem 1.2rem;margin:.8rem .5rem 0 0;border-radius:4px;border:1px solid #545b64;background:#fff;cursor:pointer}',
  // #b84d00 keeps white text above the 4.5:1 contrast WCAG asks for (AWS's #ec7211 does not).
  'button.approve{background:#b84d00;border-color:#b84d00;color:#fff}',
  '.brand{margin:0 0 1rem;font-size:.85rem;color:#545b64;text-transform:uppercase;letter-spacing:.05em}',
  '.hint{font-size:.9rem;color:#545b64}',
  'button:focus,input:focus{outline:3px solid #0073bb;outline-offset:2px}',
  '.actions{display:flex;flex-wrap:wrap;align-items:flex-end;gap:1rem}'
].join('')

function htmlReply(status: number, title: string, content: string): Reply {
  const body =
    '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">' +
    `<title>${escapeHtml(title)} · IAM Identity Center emulator</title><style>${STYLE}</style></head>` +
    // The banner says what this is: nobody should mistake a local emulator for AWS's page.
    `<body><main><p class="brand">IAM Identity Center emulator</p><h1>${escapeHtml(title)}</h1>${content}</main></body></html>`
  return {
    status,
    headers: {
      'content-type': 'text/html; charset=utf-8',
      // No script, no external asset, no framing (an approve button must not be clickjacked).
      'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; form-action 'self'; frame-ancestors 'none'",
      'x-frame-options': 'DENY',
      'cache-control': 'no-store'
    },
    body
  }
}

function jsonReply(status: number, value: object): Reply {
  return { status, headers: { 'content-type': 'application/json', 'cache-control': 'no-store' }, body: JSON.stringify(value) }
}

function wantsJson(accept: string | undefined): boolean {
  return accept !== undefined && accept.includes('application/json') && !accept.includes('text/html')
}
