import { createServer, type Server } from 'node:http'
import type { AddressInfo } from 'node:net'
import { afterEach, beforeEach, describe, expect, it } from 'vitest'
import { Probot, createNodeMiddleware, type ApplicationFunction } from 'probot'
import { startEmulatorFixture, type EmulatorFixture } from './emulator-fixture.js'

describe('a real Probot app against the emulator', () => {
  let fixture: EmulatorFixture
  let server: Server

  // A small app: on a new pull request, read a policy at the base commit in one GraphQL query,
  // comment with it, and record a check run on the head commit.
  const appFn: ApplicationFunction = (app) => {
    app.on('pull_request.opened', async (context) => {
      const { repository } = await context.octokit.graphql<{ repository: { object: { text: string } } }>(
        `query($expression: String!) { repository(owner: "acme", name: "access") { object(expression: $expression) { ... on Blob { text } } } }`,
        { expression: `${context.payload.pull_request.base.sha}:policies/read.yaml` },
      )
      await context.octokit.rest.issues.createComment(context.issue({ body: `Policy at base:\n${repository.object.text}` }))
      await context.octokit.rest.checks.create(
        context.repo({
          name: 'jit/decision',
          head_sha: context.payload.pull_request.head.sha,
          conclusion: 'neutral',
          output: { title: 'read', summary: 'ok' },
        }),
      )
    })
  }

  beforeEach(async () => {
    fixture = await startEmulatorFixture({ webhookSecret: 'probot-secret', initialFiles: { 'policies/read.yaml': 'name: read\n' } })
    const probot = new Probot({
      appId: 4242,
      privateKey: fixture.privateKey,
      secret: 'probot-secret',
      baseUrl: fixture.emulator.url,
      logLevel: 'fatal',
    })
    const middleware = await createNodeMiddleware(appFn, { probot, webhooksPath: '/api/github/webhooks' })
    server = createServer((request, response) => {
      void middleware(request, response, () => response.writeHead(404).end())
    })
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()))
    fixture.emulator.setWebhookUrl(`http://127.0.0.1:${(server.address() as AddressInfo).port}/api/github/webhooks`)
  })
  afterEach(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()))
    await fixture.close()
  })

  it('receives a verified webhook, authenticates as the installation, reads by GraphQL and writes back', async () => {
    const opened = await fixture.emulator.openPullRequest({
      author: 'alice',
      branch: 'access/alice',
      files: { 'requests/alice.yaml': 'role: read\n' },
      title: 'Access',
    })
    expect(opened.delivery.status).toBe(200)
    expect(fixture.emulator.comments(opened.number).map((comment) => [comment.login, comment.body])).toEqual([
      ['jit-access[bot]', 'Policy at base:\nname: read\n'],
    ])
    expect(fixture.emulator.checkRuns(opened.headSha).map((run) => [run.name, run.status, run.conclusion])).toEqual([
      ['jit/decision', 'completed', 'neutral'],
    ])
    await fixture.emulator.settle()
  })
})
