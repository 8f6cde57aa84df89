import { describeRequestItem } from '../core/files/access-request.js'
import { listFailureErrors, type AccessRepository } from '../core/files/access-repository.js'
import type { Decision } from '../core/decision/decision.js'
import type { InputError } from '../core/files/input-error.js'
import { renderDecision } from '../core/decision/render-decision.js'
import type { PullRequestKind } from './classify-pull-request.js'
import { describeApiError, GitHubReadError } from './github-read-error.js'
import { formatCount, formatNumber } from '../core/text/plural.js'
import { shortSha } from '../core/text/short-sha.js'
import { escapeMarkdown, formatCode, toPlainLine } from '../core/text/inert-text.js'
import { findRequestPathWarnings } from '../core/files/request-path-warnings.js'

/** The one check run the app writes, under this name, on the PR's head commit. */
export const CHECK_NAME = 'jit / access request'

export type CheckConclusion = 'success' | 'action_required' | 'failure' | 'neutral'

/** A check-run annotation, in the REST API's shape. */
export interface CheckAnnotation {
  readonly path: string
  readonly start_line: number
  readonly end_line: number
  readonly annotation_level: 'failure' | 'warning' | 'notice'
  readonly title: string
  readonly message: string
}

/** What the check run will say: a value, built before anything is written to GitHub. */
export interface CheckRunReport {
  readonly conclusion: CheckConclusion
  readonly title: string
  /** Markdown for people. */
  readonly summary: string
  readonly annotations: readonly CheckAnnotation[]
}

const CONCLUSIONS: Record<Decision['verdict'], CheckConclusion> = {
  approved: 'success',
  pending: 'action_required',
  denied: 'failure',
  invalid: 'failure',
}

// GitHub rejects longer check-run summaries.
const SUMMARY_LIMIT = 65_535

/**
 * GitHub takes at most 50 annotations per check-run call; the app writes one call per check run, so a
 * file with thousands of findings costs one write, not one per 50 (an installation's hourly budget).
 */
export const MAX_ANNOTATIONS = 50

/** The check for a request PR: the decision, rendered, with annotations on the lines at fault. */
export function reportDecision(decision: Decision, params: { unknownTeams: readonly string[] }): CheckRunReport {
  const notes: string[] = []
  if (params.unknownTeams.length > 0) {
    notes.push(
      `> [!WARNING]\n> GitHub showed the app no members for ${params.unknownTeams.map((team) => formatCode(team)).join(', ')}: the team does not exist or the app cannot see it, so approvals through it cannot count.`,
    )
  }
  notes.push(
    `<sub>Evaluated on commit ${shortSha(decision.headSha)} at ${decision.evaluatedAt.toISOString()}. Approvals count only on this commit: a new push needs new approvals.</sub>`,
  )
  const annotations = decision.errors.map((error) => annotate(error, 'Invalid input'))
  if (decision.verdict === 'denied') {
    for (const item of decision.items) {
      if (item.policy) continue
      annotations.push(
        annotate(
          {
            file: decision.requestPath,
            line: item.item.line,
            message: `No policy grants ${describeRequestItem(item.item)}.`,
          },
          'Not covered by any policy',
        ),
      )
    }
  }
  return {
    conclusion: CONCLUSIONS[decision.verdict],
    // Titles and annotations are plain text on GitHub: one line each, nothing invisible.
    title: toPlainLine(decision.summary),
    ...capAnnotations(`${renderDecision(decision, { format: 'markdown' })}\n${notes.join('\n\n')}\n`, annotations),
  }
}

/** The check for a PR rejected or ignored before reading any file (fork, mixed changes, deleted request...). */
export function reportClassification(kind: Extract<PullRequestKind, { kind: 'rejected' | 'ignored' }>): CheckRunReport {
  return {
    conclusion: kind.kind === 'rejected' ? 'failure' : 'neutral',
    title: toPlainLine(kind.title),
    summary: `${kind.reason}\n`,
    annotations: [],
  }
}

/** The check for a PR that changes policies, CODEOWNERS or settings: are the head's files valid, as `jit validate` says. */
export function reportRulesCheck(params: { headSha: string; paths: readonly string[]; repository: AccessRepository }): CheckRunReport {
  const { repository } = params
  // Every failure, the CODEOWNERS lines GitHub would ignore too: this check is where the rules' authors look.
  const errors = listFailureErrors(repository.failures)
  const changed = params.paths.map((path) => formatCode(path)).join(', ')
  const facts = [
    `${repository.policies.length} valid polic${repository.policies.length === 1 ? 'y' : 'ies'}`,
    repository.codeowners
      ? `CODEOWNERS from ${formatCode(repository.codeowners.file)} (${repository.codeowners.rules.length} rules)`
      : 'no CODEOWNERS file',
  ].join(', ')
  const warnings = findRequestPathWarnings(repository).map((warning) => `> [!WARNING]\n> ${escapeMarkdown(warning)}\n\n`)
  if (errors.length === 0) {
    return {
      conclusion: 'success',
      title: 'Policy change is valid',
      summary: `This pull request changes ${changed}. At ${shortSha(params.headSha)} the rules load without errors: ${facts}.\n\n${warnings.join('')}The change takes effect for requests once merged; its own reviews are governed by branch protection and CODEOWNERS.\n`,
      annotations: [],
    }
  }
  const lines = errors.map((e) => `- ${formatCode(`${e.file}:${e.line}`)}: ${escapeMarkdown(e.message)}`)
  return {
    conclusion: 'failure',
    title: `Policy change is invalid: ${formatCount(errors.length, 'error')}`,
    ...capAnnotations(
      `This pull request changes ${changed}. At ${shortSha(params.headSha)} the rules have errors; fix them and push again.\n\n${lines.join('\n')}\n\n${warnings.join('')}Valid so far: ${facts}.\n`,
      errors.map((error) => annotate(error, 'Invalid rule')),
    ),
  }
}

/** The check when the evaluation itself failed: what went wrong, and that re-running is safe. */
export function reportFailure(error: unknown): CheckRunReport {
  const what = error instanceof GitHubReadError ? error.message : `The access check failed: ${describeApiError(error)}`
  return {
    conclusion: 'failure',
    title: error instanceof GitHubReadError ? 'Could not read from GitHub' : 'The access check failed',
    summary:
      `${escapeMarkdown(what)}.\n\nNothing was granted. Re-running is safe: the check reads everything again and changes nothing else. ` +
      'Use **Re-run** on this check, or push a commit.\n',
    annotations: [],
  }
}

function annotate(error: InputError, title: string): CheckAnnotation {
  const line = Math.max(1, error.line)
  return { path: error.file, start_line: line, end_line: line, annotation_level: 'failure', title, message: toPlainLine(error.message) }
}

/**
 * The first MAX_ANNOTATIONS annotations, and a summary that fits GitHub's limit and says how many more
 * findings there are than annotations (the note is added after any truncation, so it is always read).
 */
function capAnnotations(summary: string, annotations: readonly CheckAnnotation[]): Pick<CheckRunReport, 'summary' | 'annotations'> {
  const hidden = annotations.length - MAX_ANNOTATIONS
  const note =
    hidden > 0
      ? `\n> [!NOTE]\n> The first ${MAX_ANNOTATIONS} findings are marked on their lines, and ${formatNumber(hidden)} more not shown as annotations: fix these and push again to see the rest.\n`
      : ''
  return { summary: limit(summary, SUMMARY_LIMIT - note.length) + note, annotations: annotations.slice(0, MAX_ANNOTATIONS) }
}

function limit(summary: string, size = SUMMARY_LIMIT): string {
  if (summary.length <= size) return summary
  const note = '\n\n… (truncated)\n'
  return summary.slice(0, size - note.length) + note
}
