import { CODEOWNERS_LOCATIONS, SETTINGS_PATH } from '../core/files/access-repository.js'
import { formatCode } from '../core/text/inert-text.js'
import type { ChangedFile, PullRequestFacts } from './pull-request-facts.js'

export const REQUESTS_DIRECTORY = 'requests/'
export const GRANTS_DIRECTORY = 'grants/'

/**
 * What kind of pull request this is, decided from its changed files alone (before reading any file):
 * - `request`: adds or changes exactly one file under `requests/` and nothing else: run the decision;
 * - `rules`: changes policies, CODEOWNERS or settings and no request: validate them at the head;
 * - `rejected`: a shape that can never be granted (fork, request mixed with other changes...): failure;
 * - `ignored`: nothing to evaluate (no governed file, or a deleted request): neutral.
 */
export type PullRequestKind =
  | { readonly kind: 'request'; readonly path: string }
  | { readonly kind: 'rules'; readonly paths: readonly string[] }
  | { readonly kind: 'rejected'; readonly title: string; readonly reason: string; readonly touchesRequest: boolean }
  | { readonly kind: 'ignored'; readonly title: string; readonly reason: string; readonly touchesRequest: boolean }

/**
 * Files that change, or could change, the rules a request is judged by. Deliberately wider than core's
 * `isPolicyPath` (the files the rules are loaded from): anything under `policies/` counts, so a policy
 * moved into a subfolder or renamed away is still a rule change that gets validated, and a request
 * pull request can never touch the folder.
 */
export function isRulesPath(path: string): boolean {
  return path.startsWith('policies/') || (CODEOWNERS_LOCATIONS as readonly string[]).includes(path) || path === SETTINGS_PATH
}

export function isRequestPath(path: string): boolean {
  return path.startsWith(REQUESTS_DIRECTORY)
}

function isGrantRecordPath(path: string): boolean {
  return path.startsWith(GRANTS_DIRECTORY)
}

/** A path from the pull request, shown as code however it is named. */
const code = (path: string): string => formatCode(path)
const list = (files: readonly ChangedFile[]): string => files.map((f) => code(f.path)).join(', ')

/** Classifies a pull request by the files it changes. Pure: the rules for "what may a request PR contain". */
export function classifyPullRequest(
  pr: Pick<PullRequestFacts, 'files' | 'hasMoreFiles' | 'isCrossRepository'> & Partial<Pick<PullRequestFacts, 'hasMoreCommits'>>,
): PullRequestKind {
  const requests = pr.files.filter((f) => isRequestPath(f.path))
  const rules = pr.files.filter((f) => isRulesPath(f.path))
  const records = pr.files.filter((f) => isGrantRecordPath(f.path))
  const others = pr.files.filter((f) => !isRequestPath(f.path))
  const touchesRequest = requests.length > 0
  const governed = touchesRequest || rules.length > 0 || records.length > 0

  if (pr.isCrossRepository && (governed || pr.hasMoreFiles)) {
    return {
      kind: 'rejected',
      title: 'Pull requests from forks are never granted',
      reason:
        'This pull request comes from a fork. Access requests and rule changes must come from a branch of this repository, ' +
        'where the author is a known member: push the branch here and open the pull request again.',
      touchesRequest,
    }
  }
  if (pr.hasMoreFiles) {
    return {
      kind: 'rejected',
      title: 'Too many changed files to evaluate',
      reason:
        'This pull request changes more than 100 files. A request changes exactly one file under `requests/`; split rule changes into smaller pull requests.',
      touchesRequest,
    }
  }
  if (touchesRequest && pr.hasMoreCommits) {
    return {
      kind: 'rejected',
      title: 'Too many commits to tell who contributed',
      reason:
        'This request has more than 100 commits, so the app cannot see everyone who pushed to it (someone who pushed to a request may not approve it). ' +
        'Open a new pull request with the request file in one commit.',
      touchesRequest,
    }
  }
  if (requests.length > 1) {
    return {
      kind: 'rejected',
      title: `${requests.length} request files in one pull request`,
      reason: `This pull request changes ${requests.length} files under \`requests/\` (${list(requests)}). One pull request carries exactly one request: open one pull request per request file.`,
      touchesRequest,
    }
  }
  const [request] = requests
  if (request) {
    const governedOthers = others.filter((f) => isRulesPath(f.path) || isGrantRecordPath(f.path))
    if (governedOthers.length > 0) {
      return {
        kind: 'rejected',
        title: 'A request cannot change the rules it is judged by',
        reason:
          `Besides the request ${code(request.path)}, this pull request changes ${list(governedOthers)}. ` +
          'Policies, CODEOWNERS, `.github/jit.yml` and the records in `grants/` decide who may approve what, so a request must not change them. ' +
          'Move those changes to their own pull request (reviewed by their owners), merge it, then rebase this one.',
        touchesRequest,
      }
    }
    if (others.length > 0) {
      return {
        kind: 'rejected',
        title: 'A request pull request must change only its request file',
        reason: `Besides the request ${code(request.path)}, this pull request changes ${list(others)}. A request pull request changes exactly one file under \`requests/\` and nothing else: move the other changes to another pull request.`,
        touchesRequest,
      }
    }
    if (request.change === 'DELETED') {
      return {
        kind: 'ignored',
        title: 'Deleting a request grants nothing',
        reason: `This pull request deletes ${code(request.path)}. Nothing is requested, so there is nothing to approve; an active grant is not revoked by deleting its request file.`,
        touchesRequest,
      }
    }
    if (request.change === 'RENAMED' || request.change === 'COPIED') {
      // GitHub does not say where a renamed file came from: it could hide the removal of a policy or CODEOWNERS.
      return {
        kind: 'rejected',
        title: 'A request must be added or edited, not renamed',
        reason: `GitHub reports ${code(request.path)} as ${request.change === 'RENAMED' ? 'renamed' : 'copied'} from another file, and does not say which. Add the request as a new file instead.`,
        touchesRequest,
      }
    }
    return { kind: 'request', path: request.path }
  }
  if (records.length > 0) {
    return {
      kind: 'rejected',
      title: 'Grant records are written by the app only',
      reason: `This pull request changes ${list(records)}. The records in \`grants/\` are the audit trail the app writes when it grants and revokes access; people must not edit them.`,
      touchesRequest,
    }
  }
  if (rules.length > 0) return { kind: 'rules', paths: rules.map((f) => f.path) }
  return {
    kind: 'ignored',
    title: 'No request or rule file changed',
    reason:
      'This pull request changes no file under `requests/` or `policies/`, no CODEOWNERS and no `.github/jit.yml`: there is nothing for the access check to evaluate.',
    touchesRequest,
  }
}
