import type { Anomaly } from './anomaly.js'
import type { GrantHistory } from './grant-history.js'
import { GRANT_COLUMNS, toGrantRow } from './render-audit.js'

/** Text as HTML character data or a quoted attribute value: it can open no tag, entity or attribute. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"'`]/gu, (ch) => `&#${ch.charCodeAt(0)};`)
}

/** JSON inside `<script type="application/json">`: no `<`, `>` or `&` can end the element or start a comment. */
function embedJson(value: unknown): string {
  return JSON.stringify(value)
    .replace(/[<>&]/gu, (ch) => `\\u${ch.charCodeAt(0).toString(16).padStart(4, '0')}`)
    .replace(/\u2028/gu, '\\u2028')
    .replace(/\u2029/gu, '\\u2029')
}

/** What the page's script draws: one entry per grant, times as milliseconds. */
interface PageGrant {
  readonly id: string
  readonly requester: string
  readonly accounts: readonly string[]
  readonly actions: string
  readonly outcome: string
  readonly reason: string
  readonly from: number | null
  readonly to: number | null
  readonly approvals: readonly { readonly login: string; readonly at: number }[]
  readonly revokedAt: number | null
}

function toPageGrant(grant: GrantHistory): PageGrant {
  const row = toGrantRow(grant)
  const from = grant.notBefore ? Date.parse(grant.notBefore) : null
  const end = row.ended_at || row.expires_at
  return {
    id: grant.id,
    requester: grant.requester,
    accounts: row.accounts === '' ? [] : row.accounts.split(' '),
    actions: row.actions,
    outcome: row.outcome,
    reason: grant.reason,
    from,
    to: end ? Date.parse(end) : null,
    approvals: grant.approvals.map((approval) => ({ login: approval.login, at: Date.parse(approval.submittedAt) })),
    revokedAt: grant.outcome.kind === 'revoked' ? Date.parse(grant.outcome.at) : null,
  }
}

const STYLE = `
body{font:14px/1.4 system-ui,sans-serif;margin:24px;color:#1b1f24;background:#fff}
h1{font-size:20px;margin:0 0 4px}h2{font-size:16px;margin:24px 0 8px}
.filters{display:flex;gap:12px;flex-wrap:wrap;margin:12px 0}.filters label{display:flex;flex-direction:column;font-size:12px;color:#57606a}
#timeline{border:1px solid #d0d7de;border-radius:6px;overflow-x:auto;background:#f6f8fa}
.lane-label{font-size:12px;fill:#1b1f24}.axis{font-size:11px;fill:#57606a}
.bar{fill:#2f81f7;opacity:.85}.bar.expired{fill:#1a7f37}.bar.early{fill:#bf8700}.bar.orphan,.bar.refused,.bar.failed{fill:#cf222e}.bar.active,.bar.granting{fill:#8250df}
.marker-approval{fill:#fff;stroke:#1b1f24;stroke-width:1.5}.marker-revocation{fill:#cf222e}
table{border-collapse:collapse;width:100%;font-size:12px}th,td{border-bottom:1px solid #d0d7de;padding:4px 6px;text-align:left;vertical-align:top}
.anomaly-kind{font-family:ui-monospace,monospace;color:#cf222e}.none{color:#1a7f37}
`

const SCRIPT = `
(() => {
  const data = JSON.parse(document.getElementById('audit-data').textContent);
  const svgNs = 'http://www.w3.org/2000/svg';
  const byId = new Map(data.grants.map((g) => [g.id, g]));
  const el = (name, attrs, text) => { const node = document.createElementNS(svgNs, name); for (const [k, v] of Object.entries(attrs)) node.setAttribute(k, String(v)); if (text !== undefined) node.textContent = text; return node; };
  const field = (id) => document.getElementById(id);
  const matches = (grant) => {
    const requester = field('f-requester').value.trim().toLowerCase();
    const account = field('f-account').value.trim();
    const action = field('f-action').value.trim().toLowerCase();
    const outcome = field('f-outcome').value;
    return (!requester || grant.requester.toLowerCase().includes(requester))
      && (!account || grant.accounts.some((a) => a.includes(account)))
      && (!action || grant.actions.toLowerCase().includes(action))
      && (!outcome || grant.outcome.startsWith(outcome));
  };
  const draw = () => {
    const shown = data.grants.filter((g) => g.from !== null && g.to !== null && matches(g));
    const byAccount = field('f-lanes').value === 'account';
    const lanes = [...new Set(shown.flatMap((g) => byAccount ? g.accounts : [g.requester]))].sort();
    const min = Math.min(...shown.map((g) => g.from)), max = Math.max(...shown.map((g) => g.to));
    const labelWidth = 160, width = 1000, laneHeight = 28, top = 24;
    const x = (t) => labelWidth + (max > min ? (t - min) / (max - min) : 0) * (width - labelWidth - 10);
    const svg = el('svg', { width, height: top + Math.max(lanes.length, 1) * laneHeight + 10, role: 'img', 'aria-label': 'grant timeline' });
    if (shown.length > 0) {
      svg.appendChild(el('text', { x: labelWidth, y: 14, class: 'axis' }, new Date(min).toISOString().slice(0, 16).replace('T', ' ')));
      svg.appendChild(el('text', { x: width - 10, y: 14, class: 'axis', 'text-anchor': 'end' }, new Date(max).toISOString().slice(0, 16).replace('T', ' ')));
    }
    lanes.forEach((lane, index) => svg.appendChild(el('text', { x: 6, y: top + index * laneHeight + 18, class: 'lane-label' }, lane)));
    for (const g of shown) {
      for (const lane of byAccount ? g.accounts : [g.requester]) {
        const y = top + lanes.indexOf(lane) * laneHeight + 6;
        const bar = el('rect', { x: x(g.from), y, width: Math.max(x(g.to) - x(g.from), 2), height: 16, rx: 3, class: 'bar ' + g.outcome.split(' ')[0], 'data-id': g.id });
        bar.appendChild(el('title', {}, g.id + ' ' + g.requester + ': ' + g.actions + ' (' + g.outcome + ') ' + g.reason));
        svg.appendChild(bar);
        for (const a of g.approvals) { const m = el('circle', { cx: x(Math.max(a.at, min)), cy: y + 8, r: 4, class: 'marker-approval', 'data-id': g.id }); m.appendChild(el('title', {}, 'approved by ' + a.login)); svg.appendChild(m); }
        if (g.revokedAt !== null) svg.appendChild(el('rect', { x: x(Math.min(g.revokedAt, max)) - 3, y: y - 2, width: 6, height: 20, class: 'marker-revocation', 'data-id': g.id }));
      }
    }
    field('timeline').replaceChildren(svg);
    field('shown').textContent = shown.length + ' of ' + data.grants.length + ' grants shown';
    for (const row of document.querySelectorAll('#grants tbody tr')) row.hidden = !matches(byId.get(row.dataset.id));
  };
  for (const id of ['f-requester', 'f-account', 'f-action', 'f-outcome', 'f-lanes']) field(id).addEventListener('input', draw);
  draw();
})();
`

/**
 * `jit audit timeline --html FILE`: one self-contained page (no network: a Content-Security-Policy that
 * allows nothing to load, CSS and script inline) with the timeline (a lane per requester or per
 * account, a bar per grant's window, markers for approvals and revocations), filters, the grants and the
 * anomalies. Every text a person wrote is escaped as HTML, or embedded as JSON the script reads as text.
 */
export function renderAuditPage(params: {
  title: string
  generatedAt: string
  grants: readonly GrantHistory[]
  anomalies: readonly Anomaly[]
}): string {
  const { grants, anomalies } = params
  const rows = grants.map(toGrantRow)
  const head = GRANT_COLUMNS.map((column) => `<th>${escapeHtml(column)}</th>`).join('')
  const body = rows
    .map(
      (row) => `<tr data-id="${escapeHtml(row.id)}">${GRANT_COLUMNS.map((column) => `<td>${escapeHtml(row[column])}</td>`).join('')}</tr>`,
    )
    .join('\n')
  const anomalyItems =
    anomalies.length === 0
      ? '<p class="none">No anomaly found.</p>'
      : `<ul id="anomalies">${anomalies
          .map(
            (anomaly) =>
              `<li><span class="anomaly-kind">${escapeHtml(anomaly.kind)}</span> ${escapeHtml(anomaly.at)}: ${escapeHtml(anomaly.message)}</li>`,
          )
          .join('\n')}</ul>`
  const outcomes = ['expired', 'early', 'orphan', 'superseded', 'refused', 'failed', 'active', 'granting']
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<title>${escapeHtml(params.title)}</title><style>${STYLE}</style></head>
<body>
<h1>${escapeHtml(params.title)}</h1>
<p>Generated ${escapeHtml(params.generatedAt)} from the repository's history alone. <span id="shown"></span></p>
<div class="filters">
<label>requester<input id="f-requester" type="search"></label>
<label>account<input id="f-account" type="search"></label>
<label>action<input id="f-action" type="search"></label>
<label>outcome<select id="f-outcome"><option value="">any</option>${outcomes.map((outcome) => `<option>${outcome}</option>`).join('')}</select></label>
<label>lanes<select id="f-lanes"><option value="requester">per requester</option><option value="account">per account</option></select></label>
</div>
<div id="timeline"></div>
<h2>Anomalies (${anomalies.length})</h2>
${anomalyItems}
<h2>Grants (${grants.length})</h2>
<table id="grants"><thead><tr>${head}</tr></thead><tbody>
${body}
</tbody></table>
<script type="application/json" id="audit-data">${embedJson({ grants: grants.map(toPageGrant) })}</script>
<script>${SCRIPT}</script>
</body></html>
`
}
