// The Azure Storage SDK inside @actions/cache asks `typeof FormData` and `body instanceof
// FormData` of every request it sends (@typespec/ts-http-runtime), to turn a FormData body into a
// multipart one. In Node the global FormData is a lazy property: the first read loads Node's own
// copy of undici, fetch and all, about 15 MiB and 20-50 ms, in a process that never sends a form.
// The bundle already holds undici's FormData (its HTTP client needs it), so before the cache
// library loads, the global is given that class. The SDK's check answers as it did: @actions/cache
// sends Buffers and streams, which are no FormData under either class.
// An assignment replaces the lazy property without loading it, and it cannot be put back without
// loading it: the global stays the bundled class for the rest of the process. Nothing in the action
// builds a FormData, and Node's own fetch (Octokit's) keeps its internal class.
import { FormData } from 'undici'

export function useBundledFormData(): void {
  ;(globalThis as { FormData: unknown }).FormData = FormData
}
