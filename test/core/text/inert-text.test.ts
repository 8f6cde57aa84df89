import { describe, expect, it } from 'vitest'
import { escapeMarkdown, formatCode, toPlainLine } from '../../../src/core/text/inert-text.js'

describe('escapeMarkdown', () => {
  it.each([
    ['plain words stay plain', 'Terminate the stuck web node', 'Terminate the stuck web node'],
    ['a table row', '| 111111111111 | `s3:GetObject` | * |', '\\| 111111111111 \\| \\`s3\\:GetObject\\` \\| \\* \\|'],
    ['a heading and a list', '## Approve me\n- and me', '\\#\\# Approve me - and me'],
    [
      'an image and a link',
      '![ok](https://x.test/a.png) [docs](https://x.test)',
      '\\!\\[ok\\]\\(https\\://x\\.test/a\\.png\\) \\[docs\\]\\(https\\://x\\.test\\)',
    ],
    ['an HTML comment that would hide the rest', 'see <!-- hidden', 'see \\<\\!-- hidden'],
    ['HTML and entities', '<b>bold</b> &amp;', '\\<b\\>bold\\</b\\> \\&amp;'],
    ['mentions and issue references become code', 'ping @org/team and @bob, see #12', 'ping `@org/team` and `@bob`, see `#12`'],
    ['an e-mail address is neither a link nor a mention', 'ops@example.com', 'ops\\@example\\.com'],
    ['emphasis, strikethrough, math, emoji', '*a* _b_ ~~c~~ $d$ :e:', '\\*a\\* \\_b\\_ \\~\\~c\\~\\~ \\$d\\$ \\:e:'],
    ['the stops of a sentence stay', 'Done. Next: this.', 'Done. Next: this.'],
    ['a leading number would start a list', '1. first', '1\\. first'],
    ['a bare autolink', 'www.evil.test https://evil.test', 'www\\.evil\\.test https\\://evil\\.test'],
    ['a backslash stays a backslash', 'C:\\temp\\', 'C\\:\\\\temp\\\\'],
    ['a leading dash would start a list', '- not a list', '\\- not a list'],
    ['invisible characters are named', 'a\u202Eb\u200Bc', 'a\\<U\\+202E\\>b\\<U\\+200B\\>c'],
  ])('%s', (_name, text, escaped) => {
    expect(escapeMarkdown(text)).toBe(escaped)
  })
})

describe('formatCode', () => {
  it.each([
    ['arn:aws:s3:::bucket/*', '`arn:aws:s3:::bucket/*`'],
    ['a`b', '``a`b``'],
    ['`start', '`` `start ``'],
    ['x|y', '`x|y`'],
    ['two\nlines', '`two lines`'],
  ])('%s', (text, code) => {
    expect(formatCode(text)).toBe(code)
  })

  it('escapes "|" in a table cell, where GitHub splits cells first', () => {
    expect(formatCode('arn:aws:s3:::x|fake', { inCell: true })).toBe('`arn:aws:s3:::x\\|fake`')
  })
})

describe('toPlainLine', () => {
  it('puts text on one line and names what cannot be seen', () => {
    expect(toPlainLine('a\r\nb\tc\u2066d\u0007')).toBe('a b c<U+2066>d<U+0007>')
  })
})
