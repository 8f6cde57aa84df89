// Lint for what the compiler does not catch; formatting is Prettier's (`npm run format`).
import js from '@eslint/js'
import tseslint from 'typescript-eslint'

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'coverage/', 'deploy/cdk.out/', 'deploy/lambda-package/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: { ecmaVersion: 2023, sourceType: 'module', globals: { process: 'readonly', console: 'readonly', URL: 'readonly' } },
    rules: {
      // The compiler reports unused names (noUnusedLocals, noUnusedParameters).
      '@typescript-eslint/no-unused-vars': 'off',
      eqeqeq: ['error', 'always'],
    },
  },
  // Output goes through the logger or the CLI's streams; only benchmarks and the emulators print directly.
  { files: ['src/**'], rules: { 'no-console': 'error' } },
  // Tests read real webhook and API payloads as JSON, whose shapes the tests assert rather than declare.
  { files: ['test/**'], rules: { '@typescript-eslint/no-explicit-any': 'off' } },
)
