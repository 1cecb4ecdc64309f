// Variables for the job's later steps (GITHUB_ENV). The AWS CLI, every SDK and Terraform read the
// standard AWS_* names, so exporting them is all a later step needs.
import * as core from '@actions/core'
import type { RoleCredentials } from '../portal/types.js'
import { maskRoleCredentials } from '../model/secrets.js'

/** Role credentials, masked before they are written, and the region the calls go to. */
export function exportRoleEnvironment(credentials: RoleCredentials, awsRegion: string): void {
  maskRoleCredentials(credentials)
  core.exportVariable('AWS_ACCESS_KEY_ID', credentials.accessKeyId)
  core.exportVariable('AWS_SECRET_ACCESS_KEY', credentials.secretAccessKey)
  core.exportVariable('AWS_SESSION_TOKEN', credentials.sessionToken)
  // AWS_REGION for the SDKs, AWS_DEFAULT_REGION for the AWS CLI and older tools.
  core.exportVariable('AWS_REGION', awsRegion)
  core.exportVariable('AWS_DEFAULT_REGION', awsRegion)
}

/** The profile later steps use without `--profile`. */
export function exportProfileEnvironment(profile: string): void {
  core.exportVariable('AWS_PROFILE', profile)
}
