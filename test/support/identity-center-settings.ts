/**
 * The `identity_center:` block of a `.github/jit.yml` for tests: the instance and identity store the
 * emulator seeds by default in the e2e stack, the granter role in the app's account (999999999999), and
 * user names `{login}@acme.com`.
 */
export const IDENTITY_CENTER_BLOCK: readonly string[] = [
  'identity_center:',
  '  instance_arn: "arn:aws:sso:::instance/ssoins-1234567890abcdef"',
  '  identity_store_id: d-1234567890',
  '  region: eu-west-1',
  '  granter_role: "arn:aws:iam::999999999999:role/jit-granter"',
  '  user_name: "{login}@acme.com"',
]
