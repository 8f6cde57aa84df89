import type { EmulatorContext } from './emulator-context.js'
import type { CheckRunRecord, IssueCommentRecord, PullRequestRecord, ReviewRecord } from './emulator-state.js'
import type { GitCommit, GitFileChange, GitIdentity } from './git-store.js'

// Builders for the JSON GitHub returns. Every shape is checked against GitHub's OpenAPI description
// in tests, so a missing required field fails loudly instead of surprising the app in production.

export function toIso(date: Date): string {
  return date.toISOString().replace(/\.\d{3}Z$/, 'Z')
}

function nodeId(kind: string, id: number | string): string {
  return Buffer.from(`${kind}:${id}`).toString('base64')
}

/** The login GitHub shows for the app's installation when it acts (comments, check runs). */
export function botLogin(context: EmulatorContext): string {
  return `${context.appSlug}[bot]`
}

/** `simple-user`: a user, a bot (login ending in `[bot]`) or the owning organization. */
export function userJson(context: EmulatorContext, login: string): Record<string, unknown> {
  const base = context.apiUrl()
  const url = `${base}/users/${encodeURIComponent(login)}`
  const type = login.endsWith('[bot]') ? 'Bot' : login === context.owner ? 'Organization' : 'User'
  const id = context.state.userId(login)
  return {
    login,
    id,
    node_id: nodeId(type, id),
    avatar_url: `${base}/avatars/${encodeURIComponent(login)}`,
    gravatar_id: '',
    url,
    html_url: `${base}/${encodeURIComponent(login)}`,
    followers_url: `${url}/followers`,
    following_url: `${url}/following{/other_user}`,
    gists_url: `${url}/gists{/gist_id}`,
    starred_url: `${url}/starred{/owner}{/repo}`,
    subscriptions_url: `${url}/subscriptions`,
    organizations_url: `${url}/orgs`,
    repos_url: `${url}/repos`,
    events_url: `${url}/events{/privacy}`,
    received_events_url: `${url}/received_events`,
    type,
    user_view_type: 'public',
    site_admin: false,
  }
}

/** `team` (as a pull request's `requested_teams` lists it): a team of the repository's organisation, by slug. */
export function teamJson(context: EmulatorContext, slug: string): Record<string, unknown> {
  const base = context.apiUrl()
  const id = context.state.userId(`team:${context.owner}/${slug}`)
  const url = `${base}/organizations/${context.state.userId(context.owner)}/team/${id}`
  return {
    id,
    node_id: nodeId('Team', id),
    url,
    members_url: `${url}/members{/member}`,
    name: slug,
    description: null,
    permission: 'push',
    privacy: 'closed',
    notification_setting: 'notifications_enabled',
    html_url: `${base}/orgs/${context.owner}/teams/${slug}`,
    repositories_url: `${url}/repos`,
    slug,
    parent: null,
    type: 'organization',
  }
}

/** `repository` for the emulated repository, or for a fork of it owned by `ownerLogin`. */
export function repositoryJson(context: EmulatorContext, ownerLogin: string = context.owner): Record<string, unknown> {
  const base = context.apiUrl()
  const fullName = `${ownerLogin}/${context.repo}`
  const url = `${base}/repos/${fullName}`
  const isFork = ownerLogin !== context.owner
  const id = isFork ? context.repoId + context.state.userId(ownerLogin) : context.repoId
  const at = toIso(context.createdAt)
  return {
    id,
    node_id: nodeId('Repository', id),
    name: context.repo,
    full_name: fullName,
    private: true,
    owner: userJson(context, ownerLogin),
    html_url: `${base}/${fullName}`,
    description: null,
    fork: isFork,
    url,
    archive_url: `${url}/{archive_format}{/ref}`,
    assignees_url: `${url}/assignees{/user}`,
    blobs_url: `${url}/git/blobs{/sha}`,
    branches_url: `${url}/branches{/branch}`,
    collaborators_url: `${url}/collaborators{/collaborator}`,
    comments_url: `${url}/comments{/number}`,
    commits_url: `${url}/commits{/sha}`,
    compare_url: `${url}/compare/{base}...{head}`,
    contents_url: `${url}/contents/{+path}`,
    contributors_url: `${url}/contributors`,
    deployments_url: `${url}/deployments`,
    downloads_url: `${url}/downloads`,
    events_url: `${url}/events`,
    forks_url: `${url}/forks`,
    git_commits_url: `${url}/git/commits{/sha}`,
    git_refs_url: `${url}/git/refs{/sha}`,
    git_tags_url: `${url}/git/tags{/sha}`,
    git_url: `${base.replace(/^https?/, 'git')}/${fullName}.git`,
    issue_comment_url: `${url}/issues/comments{/number}`,
    issue_events_url: `${url}/issues/events{/number}`,
    issues_url: `${url}/issues{/number}`,
    keys_url: `${url}/keys{/key_id}`,
    labels_url: `${url}/labels{/name}`,
    languages_url: `${url}/languages`,
    merges_url: `${url}/merges`,
    milestones_url: `${url}/milestones{/number}`,
    notifications_url: `${url}/notifications{?since,all,participating}`,
    pulls_url: `${url}/pulls{/number}`,
    releases_url: `${url}/releases{/id}`,
    ssh_url: `git@127.0.0.1:${fullName}.git`,
    stargazers_url: `${url}/stargazers`,
    statuses_url: `${url}/statuses/{sha}`,
    subscribers_url: `${url}/subscribers`,
    subscription_url: `${url}/subscription`,
    tags_url: `${url}/tags`,
    teams_url: `${url}/teams`,
    trees_url: `${url}/git/trees{/sha}`,
    clone_url: `${base}/${fullName}.git`,
    mirror_url: null,
    hooks_url: `${url}/hooks`,
    svn_url: `${base}/${fullName}`,
    homepage: null,
    language: null,
    forks_count: 0,
    forks: 0,
    stargazers_count: 0,
    watchers_count: 0,
    watchers: 0,
    size: 0,
    default_branch: context.store.defaultBranch,
    open_issues_count: [...context.state.pulls.values()].filter((pull) => pull.state === 'open').length,
    open_issues: [...context.state.pulls.values()].filter((pull) => pull.state === 'open').length,
    is_template: false,
    topics: [],
    has_issues: true,
    has_projects: false,
    has_wiki: false,
    has_pages: false,
    has_downloads: false,
    has_discussions: false,
    archived: false,
    disabled: false,
    visibility: 'private',
    pushed_at: at,
    created_at: at,
    updated_at: at,
    allow_forking: true,
    web_commit_signoff_required: false,
    license: null,
    custom_properties: {},
  }
}

/** `pull-request` (the full shape GET /pulls/{n} returns), with counts computed from git. */
export async function pullRequestJson(context: EmulatorContext, pull: PullRequestRecord): Promise<Record<string, unknown>> {
  const simple = pullRequestSimpleJson(context, pull)
  const mergeBase = (await context.store.mergeBase(pull.baseSha, pull.headSha)) ?? pull.baseSha
  const files = await context.store.diff(mergeBase, pull.headSha)
  const commits = (await context.store.run(['rev-list', '--count', `${mergeBase}..${pull.headSha}`])).stdout.toString('utf8').trim()
  return {
    ...simple,
    merged: pull.merged,
    mergeable: pull.state === 'open' ? true : null,
    rebaseable: pull.state === 'open' ? true : null,
    mergeable_state: pull.state === 'open' ? 'clean' : 'unknown',
    merged_by: pull.mergedByLogin === null ? null : userJson(context, pull.mergedByLogin),
    comments: context.state.comments.filter((comment) => comment.issueNumber === pull.number).length,
    review_comments: 0,
    maintainer_can_modify: false,
    commits: Number(commits),
    additions: files.reduce((sum, file) => sum + file.additions, 0),
    deletions: files.reduce((sum, file) => sum + file.deletions, 0),
    changed_files: files.length,
  }
}

/** `pull-request-simple` (what GET /pulls lists). */
export function pullRequestSimpleJson(context: EmulatorContext, pull: PullRequestRecord): Record<string, unknown> {
  const base = context.apiUrl()
  const repoUrl = `${base}/repos/${context.owner}/${context.repo}`
  const url = `${repoUrl}/pulls/${pull.number}`
  const htmlUrl = `${base}/${context.owner}/${context.repo}/pull/${pull.number}`
  return {
    url,
    id: pull.id,
    node_id: nodeId('PullRequest', pull.id),
    html_url: htmlUrl,
    diff_url: `${htmlUrl}.diff`,
    patch_url: `${htmlUrl}.patch`,
    issue_url: `${repoUrl}/issues/${pull.number}`,
    commits_url: `${url}/commits`,
    review_comments_url: `${url}/comments`,
    review_comment_url: `${repoUrl}/pulls/comments{/number}`,
    comments_url: `${repoUrl}/issues/${pull.number}/comments`,
    statuses_url: `${repoUrl}/statuses/${pull.headSha}`,
    number: pull.number,
    state: pull.state,
    locked: false,
    title: pull.title,
    user: userJson(context, pull.authorLogin),
    body: pull.body,
    labels: [],
    milestone: null,
    active_lock_reason: null,
    created_at: toIso(pull.createdAt),
    updated_at: toIso(pull.updatedAt),
    closed_at: pull.closedAt === null ? null : toIso(pull.closedAt),
    merged_at: pull.mergedAt === null ? null : toIso(pull.mergedAt),
    merge_commit_sha: pull.mergeCommitSha,
    assignee: null,
    assignees: [],
    requested_reviewers: pull.requestedReviewers.map((login) => userJson(context, login)),
    requested_teams: pull.requestedTeams.map((slug) => teamJson(context, slug)),
    head: {
      label: `${pull.headOwner}:${pull.headRef}`,
      ref: pull.headRef,
      sha: pull.headSha,
      user: userJson(context, pull.headOwner),
      repo: repositoryJson(context, pull.headOwner),
    },
    base: {
      label: `${context.owner}:${pull.baseRef}`,
      ref: pull.baseRef,
      sha: pull.baseSha,
      user: userJson(context, context.owner),
      repo: repositoryJson(context),
    },
    _links: {
      self: { href: url },
      html: { href: htmlUrl },
      issue: { href: `${repoUrl}/issues/${pull.number}` },
      comments: { href: `${repoUrl}/issues/${pull.number}/comments` },
      review_comments: { href: `${url}/comments` },
      review_comment: { href: `${repoUrl}/pulls/comments{/number}` },
      commits: { href: `${url}/commits` },
      statuses: { href: `${repoUrl}/statuses/${pull.headSha}` },
    },
    author_association: pull.headOwner === context.owner ? 'MEMBER' : 'CONTRIBUTOR',
    auto_merge: null,
    draft: pull.draft,
  }
}

/** `pull-request-review`. */
export function reviewJson(context: EmulatorContext, review: ReviewRecord): Record<string, unknown> {
  const base = context.apiUrl()
  const pullUrl = `${base}/repos/${context.owner}/${context.repo}/pulls/${review.pullNumber}`
  const htmlUrl = `${base}/${context.owner}/${context.repo}/pull/${review.pullNumber}#pullrequestreview-${review.id}`
  return {
    id: review.id,
    node_id: nodeId('PullRequestReview', review.id),
    user: userJson(context, review.login),
    body: review.body,
    state: review.state,
    html_url: htmlUrl,
    pull_request_url: pullUrl,
    _links: { html: { href: htmlUrl }, pull_request: { href: pullUrl } },
    submitted_at: toIso(review.submittedAt),
    commit_id: review.commitId,
    author_association: 'MEMBER',
  }
}

/** `issue-comment`. */
export function issueCommentJson(context: EmulatorContext, comment: IssueCommentRecord): Record<string, unknown> {
  const base = context.apiUrl()
  const repoUrl = `${base}/repos/${context.owner}/${context.repo}`
  return {
    id: comment.id,
    node_id: nodeId('IssueComment', comment.id),
    url: `${repoUrl}/issues/comments/${comment.id}`,
    html_url: `${base}/${context.owner}/${context.repo}/pull/${comment.issueNumber}#issuecomment-${comment.id}`,
    body: comment.body,
    user: userJson(context, comment.login),
    created_at: toIso(comment.createdAt),
    updated_at: toIso(comment.updatedAt),
    issue_url: `${repoUrl}/issues/${comment.issueNumber}`,
    author_association: comment.login.endsWith('[bot]') ? 'NONE' : 'MEMBER',
    performed_via_github_app: null,
    reactions: {
      url: `${repoUrl}/issues/comments/${comment.id}/reactions`,
      total_count: 0,
      '+1': 0,
      '-1': 0,
      laugh: 0,
      confused: 0,
      heart: 0,
      hooray: 0,
      eyes: 0,
      rocket: 0,
    },
  }
}

/** `integration`: the GitHub App the emulator pretends is installed. */
export function appJson(context: EmulatorContext): Record<string, unknown> {
  const at = toIso(context.createdAt)
  return {
    id: context.appId,
    slug: context.appSlug,
    node_id: nodeId('App', context.appId),
    client_id: `Iv1.${context.appId}`,
    owner: userJson(context, context.owner),
    name: context.appSlug,
    description: 'GitHub App under test (emulated)',
    external_url: `${context.apiUrl()}/apps/${context.appSlug}`,
    html_url: `${context.apiUrl()}/apps/${context.appSlug}`,
    created_at: at,
    updated_at: at,
    permissions: { ...context.state.installationGrants.permissions },
    events: [...context.state.installationGrants.events],
  }
}

/** `installation`: the app's one installation, on the repository's owner. */
export function installationJson(context: EmulatorContext): Record<string, unknown> {
  const base = context.apiUrl()
  const at = toIso(context.createdAt)
  return {
    id: context.installationId,
    account: userJson(context, context.owner),
    repository_selection: 'all',
    access_tokens_url: `${base}/app/installations/${context.installationId}/access_tokens`,
    repositories_url: `${base}/installation/repositories`,
    html_url: `${base}/organizations/${context.owner}/settings/installations/${context.installationId}`,
    app_id: context.appId,
    app_slug: context.appSlug,
    target_id: context.state.userId(context.owner),
    target_type: 'Organization',
    permissions: { ...context.state.installationGrants.permissions },
    events: [...context.state.installationGrants.events],
    created_at: at,
    updated_at: at,
    single_file_name: null,
    suspended_by: null,
    suspended_at: null,
  }
}

function identityJson(identity: GitIdentity): Record<string, unknown> {
  return { name: identity.name, email: identity.email, date: toIso(identity.date) }
}

/** `git-commit`. */
export function gitCommitJson(context: EmulatorContext, commit: GitCommit): Record<string, unknown> {
  const base = context.apiUrl()
  const repoUrl = `${base}/repos/${context.owner}/${context.repo}`
  return {
    sha: commit.sha,
    node_id: nodeId('Commit', commit.sha),
    url: `${repoUrl}/git/commits/${commit.sha}`,
    html_url: `${base}/${context.owner}/${context.repo}/commit/${commit.sha}`,
    author: identityJson(commit.author),
    committer: identityJson(commit.committer),
    message: commit.message.replace(/\n$/, ''),
    tree: { sha: commit.tree, url: `${repoUrl}/git/trees/${commit.tree}` },
    parents: commit.parents.map((sha) => ({
      sha,
      url: `${repoUrl}/git/commits/${sha}`,
      html_url: `${base}/${context.owner}/${context.repo}/commit/${sha}`,
    })),
    verification: { verified: false, reason: 'unsigned', signature: null, payload: null, verified_at: null },
  }
}

/** `git-ref`. */
export function gitRefJson(context: EmulatorContext, fullRef: string, sha: string): Record<string, unknown> {
  const repoUrl = `${context.apiUrl()}/repos/${context.owner}/${context.repo}`
  return {
    ref: fullRef,
    node_id: nodeId('Ref', fullRef),
    url: `${repoUrl}/git/${fullRef}`,
    object: { type: 'commit', sha, url: `${repoUrl}/git/commits/${sha}` },
  }
}

/** `diff-entry`: one file of GET /pulls/{n}/files. */
export function diffEntryJson(context: EmulatorContext, headSha: string, change: GitFileChange): Record<string, unknown> {
  const base = context.apiUrl()
  const encodedPath = change.path.split('/').map(encodeURIComponent).join('/')
  return {
    sha: change.sha,
    filename: change.path,
    status: change.status,
    additions: change.additions,
    deletions: change.deletions,
    changes: change.additions + change.deletions,
    blob_url: `${base}/${context.owner}/${context.repo}/blob/${headSha}/${encodedPath}`,
    raw_url: `${base}/${context.owner}/${context.repo}/raw/${headSha}/${encodedPath}`,
    contents_url: `${base}/repos/${context.owner}/${context.repo}/contents/${encodedPath}?ref=${headSha}`,
    ...(change.patch === undefined ? {} : { patch: change.patch }),
  }
}

/** `check-run`. */
export function checkRunJson(context: EmulatorContext, run: CheckRunRecord): Record<string, unknown> {
  const base = context.apiUrl()
  const repoUrl = `${base}/repos/${context.owner}/${context.repo}`
  const pulls = [...context.state.pulls.values()].filter((pull) => pull.headSha === run.headSha && pull.state === 'open')
  return {
    id: run.id,
    head_sha: run.headSha,
    node_id: nodeId('CheckRun', run.id),
    external_id: run.externalId,
    url: `${repoUrl}/check-runs/${run.id}`,
    html_url: `${base}/${context.owner}/${context.repo}/runs/${run.id}`,
    details_url: run.detailsUrl,
    status: run.status,
    conclusion: run.conclusion,
    started_at: toIso(run.startedAt),
    completed_at: run.completedAt === null ? null : toIso(run.completedAt),
    output: {
      title: run.output.title,
      summary: run.output.summary,
      text: run.output.text,
      annotations_count: 0,
      annotations_url: `${repoUrl}/check-runs/${run.id}/annotations`,
    },
    name: run.name,
    check_suite: { id: run.id + 1 },
    app: appJson(context),
    pull_requests: pulls.map((pull) => ({
      id: pull.id,
      number: pull.number,
      url: `${repoUrl}/pulls/${pull.number}`,
      head: { ref: pull.headRef, sha: pull.headSha, repo: { id: context.repoId, url: repoUrl, name: context.repo } },
      base: { ref: pull.baseRef, sha: pull.baseSha, repo: { id: context.repoId, url: repoUrl, name: context.repo } },
    })),
  }
}
