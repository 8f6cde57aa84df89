import type { AppAuthenticator } from './app-auth.js'
import { createActivityRoutes } from './routes-activity.js'
import type { RestRoute } from './rest-route.js'
import { createAppRoutes } from './routes-app.js'
import { createCheckRoutes } from './routes-checks.js'
import { createGitDataRoutes } from './routes-git-data.js'
import { createIssueCommentRoutes } from './routes-issue-comments.js'
import { createIssueRoutes } from './routes-issues.js'
import { createPullRoutes } from './routes-pulls.js'
import { createRepositoryRoutes } from './routes-repository.js'
import { createRulesetRoutes } from './routes-rulesets.js'
import { createTeamRoutes } from './routes-teams.js'

/** Every REST operation the emulator serves; each template is a path of GitHub's OpenAPI description. */
export function createRestRoutes(authenticator: AppAuthenticator): RestRoute[] {
  return [
    ...createAppRoutes(authenticator),
    ...createRepositoryRoutes(),
    ...createActivityRoutes(),
    ...createGitDataRoutes(),
    ...createPullRoutes(),
    ...createCheckRoutes(),
    ...createIssueCommentRoutes(),
    ...createIssueRoutes(),
    ...createTeamRoutes(),
    ...createRulesetRoutes(),
  ]
}
