import { describe, expect, it } from 'vitest'
import { renderCsv, renderTable } from '../../../src/core/audit/render-audit.js'
import { escapeHtml } from '../../../src/core/audit/render-audit-page.js'

describe('renderCsv', () => {
  it('quotes every cell, doubles quotes, keeps line breaks inside the cell, and makes formulas text', () => {
    const rows = [
      { a: 'plain', b: 'say "hi"' },
      { a: '=1+1', b: 'two\nlines' },
      { a: '+x', b: '-y' },
      { a: '@SUM(A1)', b: '\tTab' },
    ]
    expect(renderCsv(['a', 'b'], rows)).toBe(
      '"a","b"\r\n"plain","say ""hi"""\r\n"\'=1+1","two\nlines"\r\n"\'+x","\'-y"\r\n"\'@SUM(A1)","\'\tTab"\r\n',
    )
  })
})

describe('renderTable', () => {
  it('pads columns, and shows each cell as one inert line', () => {
    expect(renderTable(['id', 'reason'], [['pr-1', 'a\nb\u202Ec']])).toBe('id    reason\npr-1  a b<U+202E>c\n')
  })
})

describe('escapeHtml', () => {
  it('leaves no character that opens a tag, an entity or an attribute', () => {
    expect(escapeHtml(`<script>&"'\``)).toBe('&#60;script&#62;&#38;&#34;&#39;&#96;')
  })
})
