import { App, Duration } from 'aws-cdk-lib'
import { Code } from 'aws-cdk-lib/aws-lambda'
import { fileURLToPath } from 'node:url'
import { JitAccessAppStack } from './app-stack.js'
import { JitGranterStack } from './granter-stack.js'

/**
 * The CDK app (`cdk.json`): `npx aws-cdk synth` / `deploy`. Context (`-c name=value`): appId, externalId,
 * organizationId (required for the app stack), sweepMinutes, githubApiUrl. The granter stack takes
 * everything as CloudFormation parameters, for a StackSet.
 */
const app = new App()
new JitGranterStack(app, 'JitAccessGranter', {
  description: 'jit-access granter role and grant boundary (deploy to every account with a StackSet)',
  analyticsReporting: false,
})
const context = (name: string): string | undefined => app.node.tryGetContext(name) as string | undefined
const appId = context('appId')
if (appId !== undefined) {
  const required = (name: string): string => {
    const value = context(name)
    if (!value) throw new Error(`set -c ${name}=… (see the README, "Deploy on AWS")`)
    return value
  }
  new JitAccessAppStack(app, 'JitAccessApp', {
    appId,
    externalId: required('externalId'),
    organizationId: required('organizationId'),
    code: Code.fromAsset(fileURLToPath(new URL('../../../deploy/lambda-package/', import.meta.url))),
    ...(context('sweepMinutes') ? { sweepEvery: Duration.minutes(Number(context('sweepMinutes'))) } : {}),
    ...(context('githubApiUrl') ? { githubApiUrl: context('githubApiUrl')! } : {}),
  })
}
app.synth()
