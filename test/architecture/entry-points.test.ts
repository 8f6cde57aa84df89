import { generateKeyPairSync } from 'node:crypto'
import { existsSync, readFileSync } from 'node:fs'
import { fileURLToPath, pathToFileURL } from 'node:url'
import yaml from 'js-yaml'
import { Probot, ProbotOctokit } from 'probot'
import { afterEach, describe, expect, it, vi } from 'vitest'

// The entry points the README and package.json document are paths into dist/; each must be built from a
// source file that exists and exports what the launcher uses, so a move in src/ cannot silently break them.
const ROOT = new URL('../../', import.meta.url)
const read = (file: string): string => readFileSync(new URL(file, ROOT), 'utf8')
/** `dist/src/app/index.js` is compiled from `src/app/index.ts` (tsconfig.build.json: rootDir `.`, outDir `dist`). */
const sourceOf = (distPath: string): URL => new URL(distPath.replace(/^(\.\/)?dist\//, '').replace(/\.js$/, '.ts'), ROOT)
const importSource = async (distPath: string): Promise<Record<string, unknown>> =>
  (await import(pathToFileURL(fileURLToPath(sourceOf(distPath))).href)) as Record<string, unknown>

describe('the documented entry points', () => {
  afterEach(() => {
    vi.useRealTimers()
    vi.unstubAllEnvs()
  })

  it('every dist/ path in package.json scripts and bin/jit.js comes from a source file that exists', () => {
    const scripts = Object.values((JSON.parse(read('package.json')) as { scripts: Record<string, string> }).scripts).join('\n')
    const launcher = read('bin/jit.js').replaceAll('../dist/', 'dist/')
    const paths = [...`${scripts}\n${launcher}`.matchAll(/(?:\.\/)?dist\/[\w/.-]+\.js/g)].map((match) => match[0])
    expect(paths).toEqual(
      expect.arrayContaining(['./dist/src/app/index.js', 'dist/src/demo/lifecycle-demo.js', 'dist/bench/run.js', 'dist/src/cli/jit.js']),
    )
    for (const path of paths) expect(existsSync(sourceOf(path)), `${path} is built from ${fileURLToPath(sourceOf(path))}`).toBe(true)
  })

  it('bin/jit.js imports names its sources export', async () => {
    const launcher = read('bin/jit.js')
    const imports = [...launcher.matchAll(/import \{ ([\w, ]+) \} from '\.\.\/(dist\/[\w/.-]+\.js)'/g)]
    expect(imports.length).toBeGreaterThan(0)
    for (const [, names, path] of imports) {
      const module = await importSource(path!)
      for (const name of names!.split(',').map((part) => part.trim())) expect(typeof module[name], `${name} from ${path}`).toBe('function')
    }
  })

  it("the README's `probot run` target loads in Probot and handles every event app.yml subscribes to", async () => {
    const readme = read('README.md')
    const target = /npx probot run (\.\/dist\/[\w/.-]+\.js)/.exec(readme)?.[1]
    expect(target).toBe('./dist/src/app/index.js')
    expect(read('package.json')).toContain(`"start": "probot run ${target}"`)

    const { default: app } = (await importSource(target!)) as { default: (probot: Probot, options: object) => void }
    const { privateKey } = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
      publicKeyEncoding: { type: 'spki', format: 'pem' },
    })
    // Nothing may reach GitHub: the API is a closed local port and the sweeper's timer never fires.
    const probot = new Probot({
      appId: 1,
      privateKey,
      logLevel: 'fatal',
      baseUrl: 'http://127.0.0.1:9',
      Octokit: ProbotOctokit.defaults({ retry: { enabled: false } }),
    })
    vi.useFakeTimers({ toFake: ['setInterval'] })
    vi.stubEnv('JIT_DRY_RUN', '1')
    const events: string[] = []
    const on = probot.on.bind(probot)
    probot.on = ((names: string | string[], handler: never) => {
      events.push(...[names].flat())
      return on(names as never, handler)
    }) as typeof probot.on
    await probot.load(app)

    const manifest = yaml.load(read('app.yml')) as { default_events: string[] }
    const handled = new Set(events.map((event) => event.split('.')[0]))
    // GitHub sends these to every app, subscribed or not; the sweeper keeps its lists current with them.
    const sentToEveryApp = ['installation', 'installation_repositories']
    expect([...handled].sort()).toEqual([...manifest.default_events, ...sentToEveryApp].sort())
  })
})
