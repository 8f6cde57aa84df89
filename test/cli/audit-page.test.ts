import { copyFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pathToFileURL } from 'node:url'
import { chromium, type Browser } from 'playwright-core'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { generateAuditHistory, grantRecord } from '../../bench/generate-audit-history.js'
import { runJit } from '../support/run-jit.js'
import { commitRecord } from '../workflows/audit/audit-history.js'

// The page `jit audit timeline --html` writes, in a real headless browser (Debian's chromium).
const CHROMIUM = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium'
const HOSTILE = '</script><script>window.pwned = 1</script><img src=x onerror="window.pwned = 2">'
let dir: string
let page: string
let browser: Browser

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jit-audit-page-'))
  await generateAuditHistory({ dir, grants: 30 })
  // The app's grant pr-60, whose reason tries to run script in the auditor's browser.
  const hostile = { ...grantRecord(60, Date.parse('2026-01-01T04:00:00Z')), reason: HOSTILE }
  await commitRecord({ dir, record: hostile, at: '2026-01-01T04:00:02Z' })
  page = join(dir, 'audit.html')
  const written = await runJit({ args: ['audit', 'timeline', '--html', page], cwd: dir, now: () => new Date('2026-12-01T00:00:00Z') })
  expect(written.code).toBe(0)
  browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] })
}, 120_000)
afterAll(async () => {
  await browser?.close()
  await rm(dir, { recursive: true, force: true })
})

describe('the audit page', () => {
  it('is one self-contained file: nothing is loaded from anywhere', async () => {
    const html = await readFile(page, 'utf8')
    expect(html).toContain(`content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'"`)
    expect(html).not.toMatch(/<(?:link|img|iframe|object|embed)\b|<script[^>]*\bsrc=/u)
    // The only addresses: the SVG namespace and the pull requests' links, as text.
    expect(new Set(html.match(/https?:\/\/[a-z0-9.]+/gu))).toEqual(new Set(['http://www.w3.org', 'https://github.com']))
  })

  it('loads with no console error, one bar per granted window, and a filter changes what is shown', async () => {
    const tab = await browser.newPage({ viewport: { width: 1200, height: 900 } })
    const problems: string[] = []
    const requests: string[] = []
    tab.on('console', (message) => {
      if (message.type() === 'error' || message.type() === 'warning') problems.push(message.text())
    })
    tab.on('pageerror', (error) => problems.push(error.message))
    tab.on('request', (request) => requests.push(request.url()))
    await tab.goto(pathToFileURL(page).href)
    // 27 grants and pr-60; the 3 refusals (pr-10, pr-20, pr-30) have no window to draw.
    expect(await tab.locator('#timeline rect.bar').count()).toBe(28)
    expect(await tab.locator('#timeline circle.marker-approval').count()).toBe(28)
    expect(await tab.locator('#timeline rect.marker-revocation').count()).toBe(27)
    expect(await tab.locator('#shown').textContent()).toBe('28 of 31 grants shown')
    expect(await tab.locator('#anomalies li').count()).toBe(5) // setup, 3 refusals, pr-60 still active

    // The hostile reason is text: shown as written, run nowhere.
    expect(await tab.evaluate(() => (globalThis as unknown as { pwned?: number }).pwned)).toBeUndefined()
    expect(await tab.locator('#grants tr[data-id="pr-60"] td').nth(4).textContent()).toBe(HOSTILE)

    await tab.fill('#f-requester', 'user1')
    // user1 and user10..user19 asked: pr-1, pr-11..pr-19 and pr-60 (and pr-10, refused: a row, no bar).
    expect(await tab.locator('#timeline rect.bar').count()).toBe(11)
    expect(await tab.locator('#grants tbody tr:not([hidden])').count()).toBe(12)
    await tab.fill('#f-requester', '')
    await tab.selectOption('#f-lanes', 'account')
    expect(await tab.locator('#timeline text.lane-label').allTextContents()).toHaveLength(10)
    await tab.selectOption('#f-outcome', 'early')
    expect(await tab.locator('#timeline rect.bar').count()).toBe(1) // pr-25

    await tab.selectOption('#f-outcome', '')
    const screenshot = join(dir, 'audit.png')
    await tab.screenshot({ path: screenshot, fullPage: false })
    const png = await readFile(screenshot)
    // PNG IHDR: width and height are the viewport; a blank page compresses to almost nothing.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 900])
    expect((await stat(screenshot)).size).toBeGreaterThan(20_000)
    if (process.env['JIT_AUDIT_SCREENSHOT']) await copyFile(screenshot, process.env['JIT_AUDIT_SCREENSHOT'])

    expect(problems).toEqual([])
    expect(requests.filter((url) => !url.startsWith('file:'))).toEqual([])
    await tab.close()
  })
})
