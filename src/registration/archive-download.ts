// Downloads a cache entry's archive into memory: one plain GET of the signed URL the lookup
// returned (an Azure SAS URL serves the whole blob to a GET without a range; GHES serves its
// archives the same way), through the shared dispatcher, so HTTPS_PROXY/HTTP_PROXY/NO_PROXY apply
// as to every other request of the action. Bounded in size (the body is not read past the
// limit) and in time (the caller's signal tears the request down). No runtime token is sent: the
// URL is its own credential, and it is never logged (the lookup masked it).
import { definedFields } from '../defined.js'
import { requestBounded } from '../http/bounded-request.js'
import { MalformedResponseError } from '../http/errors.js'
import { USER_AGENT } from '../http/user-agent.js'
import { CacheServiceError } from './cache-client.js'

export interface ArchiveDownload {
  url: URL
  maxBytes: number
  timeoutMs: number
  signal?: AbortSignal
}

/** The archive is longer than the bound: no entry this action wrote is. */
export class ArchiveTooLargeError extends Error {
  override readonly name = 'ArchiveTooLargeError'
}

export async function downloadArchive(download: ArchiveDownload): Promise<Buffer> {
  const operation = 'cache archive download'
  const response = await requestBounded({
    operation,
    method: 'GET',
    url: download.url,
    headers: { 'user-agent': USER_AGENT, accept: 'application/octet-stream' },
    timeoutMs: download.timeoutMs,
    maxBodyBytes: download.maxBytes,
    ...definedFields({ signal: download.signal })
  }).catch((error: unknown) => {
    // The only answer requestBounded calls malformed is one longer than the bound.
    throw error instanceof MalformedResponseError
      ? new ArchiveTooLargeError(`the archive is larger than ${download.maxBytes} bytes`)
      : error
  })
  if (response.status !== 200) throw new CacheServiceError(`${operation} from ${download.url.origin} answered HTTP ${response.status}`)
  return response.body
}
