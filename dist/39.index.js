export const id = 39;
export const ids = [39];
export const modules = {

/***/ 8832:
/***/ ((__unused_webpack_module, exports, __webpack_require__) => {

var aws4 = exports,
    url = __webpack_require__(4635),
    querystring = __webpack_require__(3480),
    crypto = __webpack_require__(6982),
    lru = __webpack_require__(2638),
    credentialsCache = lru(1000)

// http://docs.amazonwebservices.com/general/latest/gr/signature-version-4.html

function hmac(key, string, encoding) {
  return crypto.createHmac('sha256', key).update(string, 'utf8').digest(encoding)
}

function hash(string, encoding) {
  return crypto.createHash('sha256').update(string, 'utf8').digest(encoding)
}

// This function assumes the string has already been percent encoded
function encodeRfc3986(urlEncodedString) {
  return urlEncodedString.replace(/[!'()*]/g, function(c) {
    return '%' + c.charCodeAt(0).toString(16).toUpperCase()
  })
}

function encodeRfc3986Full(str) {
  return encodeRfc3986(encodeURIComponent(str))
}

// A bit of a combination of:
// https://github.com/aws/aws-sdk-java-v2/blob/dc695de6ab49ad03934e1b02e7263abbd2354be0/core/auth/src/main/java/software/amazon/awssdk/auth/signer/internal/AbstractAws4Signer.java#L59
// https://github.com/aws/aws-sdk-js/blob/18cb7e5b463b46239f9fdd4a65e2ff8c81831e8f/lib/signers/v4.js#L191-L199
// https://github.com/mhart/aws4fetch/blob/b3aed16b6f17384cf36ea33bcba3c1e9f3bdfefd/src/main.js#L25-L34
var HEADERS_TO_IGNORE = {
  'authorization': true,
  'connection': true,
  'x-amzn-trace-id': true,
  'user-agent': true,
  'expect': true,
  'presigned-expires': true,
  'range': true,
}

// request: { path | body, [host], [method], [headers], [service], [region] }
// credentials: { accessKeyId, secretAccessKey, [sessionToken] }
function RequestSigner(request, credentials) {

  if (typeof request === 'string') request = url.parse(request)

  var headers = request.headers = Object.assign({}, (request.headers || {})),
      hostParts = (!this.service || !this.region) && this.matchHost(request.hostname || request.host || headers.Host || headers.host)

  this.request = request
  this.credentials = credentials || this.defaultCredentials()

  this.service = request.service || hostParts[0] || ''
  this.region = request.region || hostParts[1] || 'us-east-1'

  // SES uses a different domain from the service name
  if (this.service === 'email') this.service = 'ses'

  if (!request.method && request.body)
    request.method = 'POST'

  if (!headers.Host && !headers.host) {
    headers.Host = request.hostname || request.host || this.createHost()

    // If a port is specified explicitly, use it as is
    if (request.port)
      headers.Host += ':' + request.port
  }
  if (!request.hostname && !request.host)
    request.hostname = headers.Host || headers.host

  this.isCodeCommitGit = this.service === 'codecommit' && request.method === 'GIT'

  this.extraHeadersToIgnore = request.extraHeadersToIgnore || Object.create(null)
  this.extraHeadersToInclude = request.extraHeadersToInclude || Object.create(null)
}

RequestSigner.prototype.matchHost = function(host) {
  var match = (host || '').match(/([^\.]{1,63})\.(?:([^\.]{0,63})\.)?amazonaws\.com(\.cn)?$/)
  var hostParts = (match || []).slice(1, 3)

  // ES's hostParts are sometimes the other way round, if the value that is expected
  // to be region equals ‘es’ switch them back
  // e.g. search-cluster-name-aaaa00aaaa0aaa0aaaaaaa0aaa.us-east-1.es.amazonaws.com
  if (hostParts[1] === 'es' || hostParts[1] === 'aoss')
    hostParts = hostParts.reverse()

  if (hostParts[1] == 's3') {
    hostParts[0] = 's3'
    hostParts[1] = 'us-east-1'
  } else {
    for (var i = 0; i < 2; i++) {
      if (/^s3-/.test(hostParts[i])) {
        hostParts[1] = hostParts[i].slice(3)
        hostParts[0] = 's3'
        break
      }
    }
  }

  return hostParts
}

// http://docs.aws.amazon.com/general/latest/gr/rande.html
RequestSigner.prototype.isSingleRegion = function() {
  // Special case for S3 and SimpleDB in us-east-1
  if (['s3', 'sdb'].indexOf(this.service) >= 0 && this.region === 'us-east-1') return true

  return ['cloudfront', 'ls', 'route53', 'iam', 'importexport', 'sts']
    .indexOf(this.service) >= 0
}

RequestSigner.prototype.createHost = function() {
  var region = this.isSingleRegion() ? '' : '.' + this.region,
      subdomain = this.service === 'ses' ? 'email' : this.service
  return subdomain + region + '.amazonaws.com'
}

RequestSigner.prototype.prepareRequest = function() {
  this.parsePath()

  var request = this.request, headers = request.headers, query

  if (request.signQuery) {

    this.parsedPath.query = query = this.parsedPath.query || {}

    if (this.credentials.sessionToken)
      query['X-Amz-Security-Token'] = this.credentials.sessionToken

    if (this.service === 's3' && !query['X-Amz-Expires'])
      query['X-Amz-Expires'] = 86400

    if (query['X-Amz-Date'])
      this.datetime = query['X-Amz-Date']
    else
      query['X-Amz-Date'] = this.getDateTime()

    query['X-Amz-Algorithm'] = 'AWS4-HMAC-SHA256'
    query['X-Amz-Credential'] = this.credentials.accessKeyId + '/' + this.credentialString()
    query['X-Amz-SignedHeaders'] = this.signedHeaders()

  } else {

    if (!request.doNotModifyHeaders && !this.isCodeCommitGit) {
      if (request.body && !headers['Content-Type'] && !headers['content-type'])
        headers['Content-Type'] = 'application/x-www-form-urlencoded; charset=utf-8'

      if (request.body && !headers['Content-Length'] && !headers['content-length'])
        headers['Content-Length'] = Buffer.byteLength(request.body)

      if (this.credentials.sessionToken && !headers['X-Amz-Security-Token'] && !headers['x-amz-security-token'])
        headers['X-Amz-Security-Token'] = this.credentials.sessionToken

      if (this.service === 's3' && !headers['X-Amz-Content-Sha256'] && !headers['x-amz-content-sha256'])
        headers['X-Amz-Content-Sha256'] = hash(this.request.body || '', 'hex')

      if (headers['X-Amz-Date'] || headers['x-amz-date'])
        this.datetime = headers['X-Amz-Date'] || headers['x-amz-date']
      else
        headers['X-Amz-Date'] = this.getDateTime()
    }

    delete headers.Authorization
    delete headers.authorization
  }
}

RequestSigner.prototype.sign = function() {
  if (!this.parsedPath) this.prepareRequest()

  if (this.request.signQuery) {
    this.parsedPath.query['X-Amz-Signature'] = this.signature()
  } else {
    this.request.headers.Authorization = this.authHeader()
  }

  this.request.path = this.formatPath()

  return this.request
}

RequestSigner.prototype.getDateTime = function() {
  if (!this.datetime) {
    var headers = this.request.headers,
      date = new Date(headers.Date || headers.date || new Date)

    this.datetime = date.toISOString().replace(/[:\-]|\.\d{3}/g, '')

    // Remove the trailing 'Z' on the timestamp string for CodeCommit git access
    if (this.isCodeCommitGit) this.datetime = this.datetime.slice(0, -1)
  }
  return this.datetime
}

RequestSigner.prototype.getDate = function() {
  return this.getDateTime().substr(0, 8)
}

RequestSigner.prototype.authHeader = function() {
  return [
    'AWS4-HMAC-SHA256 Credential=' + this.credentials.accessKeyId + '/' + this.credentialString(),
    'SignedHeaders=' + this.signedHeaders(),
    'Signature=' + this.signature(),
  ].join(', ')
}

RequestSigner.prototype.signature = function() {
  var date = this.getDate(),
      cacheKey = [this.credentials.secretAccessKey, date, this.region, this.service].join(),
      kDate, kRegion, kService, kCredentials = credentialsCache.get(cacheKey)
  if (!kCredentials) {
    kDate = hmac('AWS4' + this.credentials.secretAccessKey, date)
    kRegion = hmac(kDate, this.region)
    kService = hmac(kRegion, this.service)
    kCredentials = hmac(kService, 'aws4_request')
    credentialsCache.set(cacheKey, kCredentials)
  }
  return hmac(kCredentials, this.stringToSign(), 'hex')
}

RequestSigner.prototype.stringToSign = function() {
  return [
    'AWS4-HMAC-SHA256',
    this.getDateTime(),
    this.credentialString(),
    hash(this.canonicalString(), 'hex'),
  ].join('\n')
}

RequestSigner.prototype.canonicalString = function() {
  if (!this.parsedPath) this.prepareRequest()

  var pathStr = this.parsedPath.path,
      query = this.parsedPath.query,
      headers = this.request.headers,
      queryStr = '',
      normalizePath = this.service !== 's3',
      decodePath = this.service === 's3' || this.request.doNotEncodePath,
      decodeSlashesInPath = this.service === 's3',
      firstValOnly = this.service === 's3',
      bodyHash

  if (this.service === 's3' && this.request.signQuery) {
    bodyHash = 'UNSIGNED-PAYLOAD'
  } else if (this.isCodeCommitGit) {
    bodyHash = ''
  } else {
    bodyHash = headers['X-Amz-Content-Sha256'] || headers['x-amz-content-sha256'] ||
      hash(this.request.body || '', 'hex')
  }

  if (query) {
    var reducedQuery = Object.keys(query).reduce(function(obj, key) {
      if (!key) return obj
      obj[encodeRfc3986Full(key)] = !Array.isArray(query[key]) ? query[key] :
        (firstValOnly ? query[key][0] : query[key])
      return obj
    }, {})
    var encodedQueryPieces = []
    Object.keys(reducedQuery).sort().forEach(function(key) {
      if (!Array.isArray(reducedQuery[key])) {
        encodedQueryPieces.push(key + '=' + encodeRfc3986Full(reducedQuery[key]))
      } else {
        reducedQuery[key].map(encodeRfc3986Full).sort()
          .forEach(function(val) { encodedQueryPieces.push(key + '=' + val) })
      }
    })
    queryStr = encodedQueryPieces.join('&')
  }
  if (pathStr !== '/') {
    if (normalizePath) pathStr = pathStr.replace(/\/{2,}/g, '/')
    pathStr = pathStr.split('/').reduce(function(path, piece) {
      if (normalizePath && piece === '..') {
        path.pop()
      } else if (!normalizePath || piece !== '.') {
        if (decodePath) piece = decodeURIComponent(piece.replace(/\+/g, ' '))
        path.push(encodeRfc3986Full(piece))
      }
      return path
    }, []).join('/')
    if (pathStr[0] !== '/') pathStr = '/' + pathStr
    if (decodeSlashesInPath) pathStr = pathStr.replace(/%2F/g, '/')
  }

  return [
    this.request.method || 'GET',
    pathStr,
    queryStr,
    this.canonicalHeaders() + '\n',
    this.signedHeaders(),
    bodyHash,
  ].join('\n')
}

RequestSigner.prototype.filterHeaders = function() {
  var headers = this.request.headers,
      extraHeadersToInclude = this.extraHeadersToInclude,
      extraHeadersToIgnore = this.extraHeadersToIgnore
  this.filteredHeaders = Object.keys(headers)
    .map(function(key) { return [key.toLowerCase(), headers[key]] })
    .filter(function(entry) {
      return extraHeadersToInclude[entry[0]] ||
        (HEADERS_TO_IGNORE[entry[0]] == null && !extraHeadersToIgnore[entry[0]])
    })
    .sort(function(a, b) { return a[0] < b[0] ? -1 : 1 })
}

RequestSigner.prototype.canonicalHeaders = function() {
  if (!this.filteredHeaders) this.filterHeaders()

  return this.filteredHeaders.map(function(entry) {
    return entry[0] + ':' + entry[1].toString().trim().replace(/\s+/g, ' ')
  }).join('\n')
}

RequestSigner.prototype.signedHeaders = function() {
  if (!this.filteredHeaders) this.filterHeaders()

  return this.filteredHeaders.map(function(entry) { return entry[0] }).join(';')
}

RequestSigner.prototype.credentialString = function() {
  return [
    this.getDate(),
    this.region,
    this.service,
    'aws4_request',
  ].join('/')
}

RequestSigner.prototype.defaultCredentials = function() {
  var env = process.env
  return {
    accessKeyId: env.AWS_ACCESS_KEY_ID || env.AWS_ACCESS_KEY,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY || env.AWS_SECRET_KEY,
    sessionToken: env.AWS_SESSION_TOKEN,
  }
}

RequestSigner.prototype.parsePath = function() {
  var path = this.request.path || '/'

  // S3 doesn't always encode characters > 127 correctly and
  // all services don't encode characters > 255 correctly
  // So if there are non-reserved chars (and it's not already all % encoded), just encode them all
  if (/[^0-9A-Za-z;,/?:@&=+$\-_.!~*'()#%]/.test(path)) {
    path = encodeURI(decodeURI(path))
  }

  var queryIx = path.indexOf('?'),
      query = null

  if (queryIx >= 0) {
    query = querystring.parse(path.slice(queryIx + 1))
    path = path.slice(0, queryIx)
  }

  this.parsedPath = {
    path: path,
    query: query,
  }
}

RequestSigner.prototype.formatPath = function() {
  var path = this.parsedPath.path,
      query = this.parsedPath.query

  if (!query) return path

  // Services don't support empty query string keys
  if (query[''] != null) delete query['']

  return path + '?' + encodeRfc3986(querystring.stringify(query))
}

aws4.RequestSigner = RequestSigner

aws4.sign = function(request, credentials) {
  return new RequestSigner(request, credentials).sign()
}


/***/ }),

/***/ 2638:
/***/ ((module) => {

module.exports = function(size) {
  return new LruCache(size)
}

function LruCache(size) {
  this.capacity = size | 0
  this.map = Object.create(null)
  this.list = new DoublyLinkedList()
}

LruCache.prototype.get = function(key) {
  var node = this.map[key]
  if (node == null) return undefined
  this.used(node)
  return node.val
}

LruCache.prototype.set = function(key, val) {
  var node = this.map[key]
  if (node != null) {
    node.val = val
  } else {
    if (!this.capacity) this.prune()
    if (!this.capacity) return false
    node = new DoublyLinkedNode(key, val)
    this.map[key] = node
    this.capacity--
  }
  this.used(node)
  return true
}

LruCache.prototype.used = function(node) {
  this.list.moveToFront(node)
}

LruCache.prototype.prune = function() {
  var node = this.list.pop()
  if (node != null) {
    delete this.map[node.key]
    this.capacity++
  }
}


function DoublyLinkedList() {
  this.firstNode = null
  this.lastNode = null
}

DoublyLinkedList.prototype.moveToFront = function(node) {
  if (this.firstNode == node) return

  this.remove(node)

  if (this.firstNode == null) {
    this.firstNode = node
    this.lastNode = node
    node.prev = null
    node.next = null
  } else {
    node.prev = null
    node.next = this.firstNode
    node.next.prev = node
    this.firstNode = node
  }
}

DoublyLinkedList.prototype.pop = function() {
  var lastNode = this.lastNode
  if (lastNode != null) {
    this.remove(lastNode)
  }
  return lastNode
}

DoublyLinkedList.prototype.remove = function(node) {
  if (this.firstNode == node) {
    this.firstNode = node.next
  } else if (node.prev != null) {
    node.prev.next = node.next
  }
  if (this.lastNode == node) {
    this.lastNode = node.prev
  } else if (node.next != null) {
    node.next.prev = node.prev
  }
}


function DoublyLinkedNode(key, val) {
  this.key = key
  this.val = val
  this.prev = null
  this.next = null
}


/***/ }),

/***/ 39:
/***/ ((__unused_webpack_module, __webpack_exports__, __webpack_require__) => {


// EXPORTS
__webpack_require__.d(__webpack_exports__, {
  identifyApprover: () => (/* binding */ identifyApprover)
});

// UNUSED EXPORTS: ApproverIdentityError, NoRoleToIdentifyError

// EXTERNAL MODULE: ./src/defined.ts
var defined = __webpack_require__(2050);
// EXTERNAL MODULE: ./src/errors.ts
var errors = __webpack_require__(3916);
// EXTERNAL MODULE: ./src/model/secrets.ts
var secrets = __webpack_require__(5780);
// EXTERNAL MODULE: ./src/portal/assignments.ts
var assignments = __webpack_require__(5232);
// EXTERNAL MODULE: ./src/retry.ts
var retry = __webpack_require__(9809);
// EXTERNAL MODULE: ./src/http/aws-error.ts
var aws_error = __webpack_require__(8402);
// EXTERNAL MODULE: ./src/http/bounded-request.ts
var bounded_request = __webpack_require__(3349);
// EXTERNAL MODULE: ./src/http/request.ts
var request = __webpack_require__(7777);
// EXTERNAL MODULE: ./src/http/user-agent.ts
var user_agent = __webpack_require__(1153);
// EXTERNAL MODULE: ./src/http/errors.ts
var http_errors = __webpack_require__(8549);
;// CONCATENATED MODULE: ./src/sts/xml.ts
// A strict reader for the small XML documents STS answers with (the Query protocol): elements,
// attributes, text and the five predefined entities, after an optional XML declaration. Anything
// else (a DOCTYPE, entity declarations, CDATA, comments, processing instructions, numeric
// character references, mixed content, more than a few levels or elements) makes it throw: an AWS
// answer never has them, and each is a way for whoever answers in AWS's place to make one
// document read two ways. Hand-written because the action needs only this much; a general XML
// library would bring DTD handling that is exactly what must not run on a hostile answer.
/** The document is not the plain XML an AWS answer is. Its message never quotes the document. */
class XmlSyntaxError extends Error {
    name = 'XmlSyntaxError';
}
const MAX_DEPTH = 8;
const MAX_ELEMENTS = 200;
const NAME = /^[A-Za-z_][\w.-]*(?::[A-Za-z_][\w.-]*)?/;
const ENTITIES = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'" };
/** The root element of `text`; throws XmlSyntaxError for anything but one well-formed element. */
function parseXml(text) {
    const reader = new Reader(text.replace(/^\uFEFF/, ''));
    reader.skipSpace();
    if (reader.rest().startsWith('<?xml')) {
        const end = reader.rest().indexOf('?>');
        if (end < 0)
            throw new XmlSyntaxError('unterminated XML declaration');
        reader.advance(end + 2);
    }
    reader.skipSpace();
    const root = reader.element(1);
    reader.skipSpace();
    if (!reader.atEnd())
        throw new XmlSyntaxError('content after the root element');
    return root;
}
/** The only child of `parent` named `name`; undefined when there is none, an error when there are several. */
function onlyChild(parent, name) {
    const matches = parent.children.filter((child) => child.name === name);
    if (matches.length > 1)
        throw new XmlSyntaxError(`${parent.name} has ${matches.length} ${name} elements`);
    return matches[0];
}
class Reader {
    text;
    position = 0;
    elements = 0;
    constructor(text) {
        this.text = text;
    }
    rest() {
        return this.text.slice(this.position);
    }
    advance(count) {
        this.position += count;
    }
    atEnd() {
        return this.position >= this.text.length;
    }
    skipSpace() {
        while (/[ \t\r\n]/.test(this.text[this.position] ?? ''))
            this.position++;
    }
    element(depth) {
        if (depth > MAX_DEPTH)
            throw new XmlSyntaxError(`elements nested deeper than ${MAX_DEPTH}`);
        if (++this.elements > MAX_ELEMENTS)
            throw new XmlSyntaxError(`more than ${MAX_ELEMENTS} elements`);
        this.expect('<');
        const name = this.name();
        const attributes = {};
        for (;;) {
            this.skipSpace();
            if (this.take('/>'))
                return { name, attributes, children: [], text: '' };
            if (this.take('>'))
                break;
            const attribute = this.name();
            if (attribute in attributes)
                throw new XmlSyntaxError(`attribute ${attribute} repeated`);
            this.skipSpace();
            this.expect('=');
            this.skipSpace();
            const quote = this.text[this.position];
            if (quote !== '"' && quote !== "'")
                throw new XmlSyntaxError('attribute value not quoted');
            const end = this.text.indexOf(quote, this.position + 1);
            if (end < 0)
                throw new XmlSyntaxError('unterminated attribute value');
            attributes[attribute] = xml_unescape(this.text.slice(this.position + 1, end));
            this.position = end + 1;
        }
        const children = [];
        let text = '';
        for (;;) {
            const next = this.text.indexOf('<', this.position);
            if (next < 0)
                throw new XmlSyntaxError(`element ${name} is not closed`);
            text += this.text.slice(this.position, next);
            this.position = next;
            if (this.take('</')) {
                if (this.name() !== name)
                    throw new XmlSyntaxError(`element ${name} closed by another name`);
                this.skipSpace();
                this.expect('>');
                break;
            }
            if (/^<[!?]/.test(this.rest()))
                throw new XmlSyntaxError('comments, CDATA, declarations and processing instructions are not accepted');
            children.push(this.element(depth + 1));
        }
        if (children.length > 0) {
            // Only layout between child elements: text beside an element is not an AWS shape.
            if (text.trim() !== '')
                throw new XmlSyntaxError(`element ${name} mixes text and elements`);
            return { name, attributes, children, text: '' };
        }
        return { name, attributes, children, text: xml_unescape(text) };
    }
    name() {
        const match = NAME.exec(this.rest());
        if (!match)
            throw new XmlSyntaxError('expected an element or attribute name');
        this.position += match[0].length;
        return match[0];
    }
    take(token) {
        if (!this.text.startsWith(token, this.position))
            return false;
        this.position += token.length;
        return true;
    }
    expect(token) {
        if (!this.take(token))
            throw new XmlSyntaxError(`expected "${token}"`);
    }
}
function xml_unescape(raw) {
    if (raw.includes('<'))
        throw new XmlSyntaxError('"<" inside a value');
    return raw.replace(/&([^;&]*);?/g, (whole, entity) => {
        const value = whole.endsWith(';') ? ENTITIES[entity] : undefined;
        if (value === undefined)
            throw new XmlSyntaxError('an entity other than &amp; &lt; &gt; &quot; &apos;');
        return value;
    });
}

;// CONCATENATED MODULE: ./src/sts/responses.ts
// Reads STS's Query-protocol answers (XML). A success names the caller; everything the action will
// believe about the approver comes from here, so every value is held to the shape AWS gives it
// and the parts of the ARN must agree with the other fields. A problem is a MalformedResponseError
// that names the field, never its value.



/** The partitions an STS ARN can name (src/oidc/endpoints.ts lists their hosts). */
const PARTITION = '(aws|aws-cn|aws-us-gov|aws-iso|aws-iso-b|aws-iso-e|aws-iso-f|aws-eusc)';
/** IAM's role and role-session name alphabet: role names 1–64, session names 2–64 characters. */
const ASSUMED_ROLE_ARN = new RegExp(`^arn:${PARTITION}:sts::(\\d{12}):assumed-role/([\\w+=,.@-]{1,64})/([\\w+=,.@-]{2,64})$`);
/** A role's unique id (AROA…) and the session name. */
const ROLE_USER_ID = /^AROA[A-Z0-9]{12,28}:([\w+=,.@-]{2,64})$/;
const ACCOUNT = /^\d{12}$/;
const STS_NAMESPACE = 'https://sts.amazonaws.com/doc/2011-06-15/';
/** The caller a GetCallerIdentity answer names; `headerRequestId` is the x-amzn-RequestId header. */
function parseCallerIdentity(text, context, headerRequestId) {
    const malformed = (problem) => new http_errors/* MalformedResponseError */.f7(context.operation, context.endpoint, problem);
    const root = readDocument(text, malformed);
    if (root.name !== 'GetCallerIdentityResponse')
        throw malformed('the XML root is not GetCallerIdentityResponse');
    if (root.attributes.xmlns !== STS_NAMESPACE)
        throw malformed('the XML root is not in the STS 2011-06-15 namespace');
    const result = child(root, 'GetCallerIdentityResult', malformed);
    const arn = value(result, 'Arn', malformed);
    const account = value(result, 'Account', malformed);
    const userId = value(result, 'UserId', malformed);
    const requestId = value(child(root, 'ResponseMetadata', malformed), 'RequestId', malformed);
    const parts = ASSUMED_ROLE_ARN.exec(arn);
    if (!parts)
        throw malformed('Arn is not an assumed-role session ARN (arn:<partition>:sts::<account>:assumed-role/<role>/<session>)');
    const [, partition, arnAccount, roleName, sessionName] = parts;
    if (!ACCOUNT.test(account))
        throw malformed('Account is not 12 digits');
    if (account !== arnAccount)
        throw malformed('Account differs from the account in Arn');
    const session = ROLE_USER_ID.exec(userId);
    if (!session)
        throw malformed('UserId is not <role id>:<session name>');
    if (session[1] !== sessionName)
        throw malformed('UserId names another session than Arn');
    if (!aws_error/* REQUEST_ID */.A2.test(requestId))
        throw malformed('RequestId is not a request ID');
    if (headerRequestId !== undefined && headerRequestId !== requestId)
        throw malformed('RequestId differs from the x-amzn-RequestId header');
    return { arn, partition, account, roleName, sessionName, userId, requestId };
}
/**
 * An STS error answer's code and message as the record awsErrorFromResponse reads
 * (`Code`, `Message`), or undefined when the body is not AWS's `ErrorResponse` shape.
 */
function stsErrorBody(text) {
    let root;
    try {
        root = parseXml(text);
    }
    catch {
        return undefined;
    }
    if (root.name !== 'ErrorResponse')
        return undefined;
    try {
        const error = onlyChild(root, 'Error');
        if (!error)
            return undefined;
        const code = onlyChild(error, 'Code')?.text;
        const message = onlyChild(error, 'Message')?.text;
        return { ...(code ? { Code: code } : {}), ...(message ? { Message: message } : {}) };
    }
    catch {
        return undefined;
    }
}
function readDocument(text, malformed) {
    try {
        return parseXml(text);
    }
    catch (error) {
        if (error instanceof XmlSyntaxError)
            throw malformed(`the body is not plain XML (${error.message})`);
        throw error;
    }
}
function child(parent, name, malformed) {
    let found;
    try {
        found = onlyChild(parent, name);
    }
    catch (error) {
        if (error instanceof XmlSyntaxError)
            throw malformed(error.message);
        throw error;
    }
    if (!found)
        throw malformed(`${parent.name}.${name} is missing`);
    return found;
}
function value(parent, name, malformed) {
    const element = child(parent, name, malformed);
    if (element.children.length > 0 || element.text === '')
        throw malformed(`${parent.name}.${name} is not a non-empty text`);
    return element.text;
}

// EXTERNAL MODULE: ./node_modules/aws4/aws4.js
var aws4 = __webpack_require__(8832);
var aws4_default = /*#__PURE__*/__webpack_require__.n(aws4);
;// CONCATENATED MODULE: ./src/sts/signer.ts
// SigV4 for the one STS call, through aws4 (the library that signs for many AWS clients; its
// figures against AWS's own @smithy/signature-v4 and aws4fetch are in docs/identity.md, "The
// signer", and `npm run bench:signers` measures them again): 17 KB and about 10 ms to load where
// @smithy/signature-v4 brings @smithy/core, 400 KB and about 70 ms, for one signature a run.
// The credentials are always passed in: aws4 would otherwise read AWS_ACCESS_KEY_ID from the
// environment, which here could be a previous step's keys, not the approver's.

const QUERY_CONTENT_TYPE = 'application/x-www-form-urlencoded; charset=utf-8';
/** The headers that send `request` signed for STS: Host, Content-Type, Content-Length, X-Amz-Date, X-Amz-Security-Token, Authorization. */
function signQueryRequest(request) {
    const { url, credentials } = request;
    const signed = aws4_default().sign({
        service: 'sts',
        region: request.region,
        method: 'POST',
        host: url.host,
        path: url.pathname,
        body: request.body,
        headers: { 'Content-Type': QUERY_CONTENT_TYPE, 'X-Amz-Date': amzDate(request.now) }
    }, { accessKeyId: credentials.accessKeyId, secretAccessKey: credentials.secretAccessKey, sessionToken: credentials.sessionToken });
    const headers = {};
    for (const [name, value] of Object.entries(signed.headers ?? {}))
        headers[name.toLowerCase()] = String(value);
    return headers;
}
/** `20260501T120000Z`, SigV4's basic ISO 8601 form. */
function amzDate(epochMs) {
    return new Date(epochMs)
        .toISOString()
        .replace(/[-:]/g, '')
        .replace(/\.\d{3}/, '');
}

;// CONCATENATED MODULE: ./src/sts/client.ts







const GET_CALLER_IDENTITY_BODY = 'Action=GetCallerIdentity&Version=2011-06-15';
/** An STS answer is under a kilobyte; anything much bigger is not one. */
const MAX_BODY_BYTES = 64 * 1024;
class StsClient {
    options;
    url;
    constructor(options) {
        this.options = options;
        this.url = new URL(options.endpoint.url);
        this.url.pathname = `${this.url.pathname.replace(/\/+$/, '')}/`;
    }
    /** Who `credentials` belong to. AwsServiceError when STS refuses them (InvalidClientTokenId, ExpiredToken, …). */
    async getCallerIdentity(credentials) {
        const operation = 'GetCallerIdentity';
        const now = this.options.now ?? Date.now;
        const endpoint = `${this.url.origin}${this.url.pathname}`;
        const limit = (0,request/* attemptLimit */.N4)({ operation, timeoutMs: this.options.requestTimeoutMs, deadline: this.options.deadline, now }, endpoint);
        const signed = signQueryRequest({
            url: this.url,
            body: GET_CALLER_IDENTITY_BODY,
            region: this.options.endpoint.signingRegion,
            credentials,
            now: now()
        });
        const response = await (0,bounded_request/* requestBounded */.H)({
            operation,
            method: 'POST',
            url: this.url,
            headers: { ...signed, 'user-agent': user_agent/* USER_AGENT */._, accept: 'text/xml' },
            body: GET_CALLER_IDENTITY_BODY,
            ...limit,
            maxBodyBytes: MAX_BODY_BYTES,
            ...(0,defined/* definedFields */.X)({ signal: this.options.signal, dispatcher: this.options.dispatcher })
        });
        const text = response.body.toString('utf8');
        if (response.status < 200 || response.status > 299) {
            throw (0,aws_error/* awsErrorFromResponse */.ve)({
                operation,
                endpoint,
                status: response.status,
                headers: response.headers,
                body: stsErrorBody(text),
                now: now()
            });
        }
        const header = response.headers['x-amzn-requestid'];
        const requestId = Array.isArray(header) ? header[0] : header;
        // A header that disagrees with the body's RequestId fails the parse: one answer, one request.
        return parseCallerIdentity(text, { operation, endpoint, now: now() }, requestId);
    }
}

// EXTERNAL MODULE: ./src/text/sanitize.ts
var sanitize = __webpack_require__(4212);
;// CONCATENATED MODULE: ./src/identity/approver.ts







/** The identity STS named cannot be the approver's IAM Identity Center role session. */
class ApproverIdentityError extends errors/* UserFacingError */.Ui {
    name = 'ApproverIdentityError';
}
/** The approver has no role at all to be looked up through. */
class NoRoleToIdentifyError extends errors/* UserFacingError */.Ui {
    name = 'NoRoleToIdentifyError';
}
/** IAM Identity Center's role for a permission set: AWSReservedSSO_<permission set>_<16 hex digits>. */
function isIdentityCenterRole(roleName, permissionSet) {
    const prefix = `AWSReservedSSO_${permissionSet}_`;
    return roleName.startsWith(prefix) && /^[0-9a-f]{16}$/.test(roleName.slice(prefix.length));
}
/**
 * The approver, learned through `through` (account and permission set), or, when none is given,
 * through the first role the approver has (ListAccounts, then ListAccountRoles). Returns the role
 * credentials too, masked.
 */
async function identifyApprover(token, through, deps) {
    const now = deps.now ?? Date.now;
    const approvedAt = deps.approvedAt ?? new Date(now());
    const retrying = (call) => {
        const options = deps.retry?.() ?? (deps.deadline === undefined ? undefined : defaultRetry(deps.deadline, deps.signal));
        return options === undefined ? call() : (0,retry/* withRetry */.bD)(call, options);
    };
    const eachPage = (call) => retrying(call);
    const target = through ?? (await firstRole(token.accessToken, deps, eachPage));
    let credentials;
    try {
        credentials = await retrying(() => deps.portal.getRoleCredentials(token.accessToken, target.accountId, target.roleName));
    }
    catch (error) {
        if (!(0,assignments/* isNotAssigned */.wG)(error))
            throw error;
        // The input that asked for the role, when the caller names it: that is what the user fixes.
        const source = through ? (through.source ?? 'the role the approver is identified through') : 'their first role';
        throw await (0,assignments/* missingRoleError */.fI)([{ ...target, source }], deps.portal, token.accessToken, eachPage);
    }
    (0,secrets/* maskRoleCredentials */.$1)(credentials, deps.mask);
    const sts = new StsClient({
        endpoint: deps.sts,
        now,
        ...(0,defined/* definedFields */.X)({ deadline: deps.deadline, signal: deps.signal, requestTimeoutMs: deps.requestTimeoutMs, dispatcher: deps.dispatcher })
    });
    const identity = await retrying(() => sts.getCallerIdentity(credentials));
    checkSession(identity, target);
    const approver = {
        userName: identity.sessionName,
        arn: identity.arn,
        accountId: target.accountId,
        approvedAt,
        requestIds: [credentials.requestId, identity.requestId].filter((id) => id !== undefined)
    };
    deps.log((0,sanitize/* sanitize */.aj)(`The approval is by ${approver.userName} (${approver.arn}), as STS names the role session their access opens in account ` +
        `${target.accountId} (GetRoleCredentials and GetCallerIdentity, CloudTrail request IDs ${approver.requestIds.join(', ')}).`));
    return { approver, credentials };
}
/** The first role of the first account that has one; logged, since these calls show in CloudTrail. */
async function firstRole(accessToken, deps, eachPage) {
    deps.log('No role was requested: the approver is identified through the first role they have (ListAccounts, ListAccountRoles, ' +
        "GetRoleCredentials and STS GetCallerIdentity: these calls show in CloudTrail under the approver's name).");
    const accounts = await deps.portal.listAllAccounts(accessToken, eachPage);
    for (const account of accounts) {
        let role;
        try {
            role = (await eachPage(() => deps.portal.listAccountRoles(accessToken, account.accountId, { maxResults: 1 }))).items[0];
        }
        catch (error) {
            // An assignment removed since ListAccounts: the next account may still do.
            if (!(0,assignments/* isNotAssigned */.wG)(error))
                throw error;
        }
        if (role !== undefined)
            return { accountId: account.accountId, roleName: role.roleName };
    }
    throw new NoRoleToIdentifyError(accounts.length === 0
        ? 'The approver has no AWS account assigned, so who they are cannot be learned from AWS. Ask an IAM Identity Center administrator to assign them a permission set, or approve as someone who has one.'
        : `The approver has no role in any of their ${accounts.length} accounts, so who they are cannot be learned from AWS. Ask an IAM Identity Center administrator to assign them a permission set.`);
}
/** The session must be the one GetRoleCredentials opened: the same account, the permission set's role. */
function checkSession(identity, target) {
    if (identity.account !== target.accountId) {
        throw new ApproverIdentityError(`STS named a caller in account ${identity.account}, not ${target.accountId} whose role the approver's access opened: the approver is not identified. Check that AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL, if set, leads to AWS STS.`);
    }
    if (!isIdentityCenterRole(identity.roleName, target.roleName)) {
        throw new ApproverIdentityError(`STS named the role ${identity.roleName}, not the IAM Identity Center role of the permission set ${target.roleName} (AWSReservedSSO_${target.roleName}_…): the approver is not identified. Check that AWS_ENDPOINT_URL_STS or AWS_ENDPOINT_URL, if set, leads to AWS STS.`);
    }
}
function defaultRetry(deadline, signal) {
    return signal === undefined ? { deadline } : { deadline, signal };
}


/***/ })

};
