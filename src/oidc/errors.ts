// The errors an SSO OIDC call can end with. They live in the HTTP layer, shared with the portal
// client; this module is the place OIDC callers import them from.
export { AwsServiceError, MalformedResponseError, NetworkError, RequestTimeoutError, isRetryableAwsError } from '../http/errors.js'
