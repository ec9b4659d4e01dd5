// Fleet overview: one row per host (instance), from a handful of instant
// queries run in parallel. Works for scraped hosts (node_exporter names, up)
// and pushed ones (system-stats-forwarder: job="system-stats", system_* names
// next to the node_* ones) alike.
import { countByInstance, loadAlerts } from './alerts.js';
import { query, queryByLabel, promRegexLiteral } from './api.js';
import { esc, fmtAgo, fmtNum, fmtPercent, fmtRate } from './format.js';
import { OVERVIEW_QUERIES } from './queries.js';

export { OVERVIEW_QUERIES };

const COLUMNS = [
  { key: 'instance', label: 'Host', type: 'str' },
  { key: 'state', label: 'Status', type: 'str' },
  { key: 'cpu', label: 'CPU', type: 'num', fmt: fmtPercent, bar: true },
  { key: 'mem', label: 'Memory', type: 'num', fmt: fmtPercent, bar: true },
  { key: 'disk', label: 'Root disk', type: 'num', fmt: fmtPercent, bar: true },
  { key: 'load1', label: 'Load 1m', type: 'num', fmt: (v) => fmtNum(v, 2) },
  { key: 'rx', label: 'Net in', type: 'num', fmt: fmtRate },
  { key: 'tx', label: 'Net out', type: 'num', fmt: fmtRate },
  { key: 'age', label: 'Last seen', type: 'num', fmt: fmtAgo },
  { key: 'alerts', label: 'Alerts', type: 'num' },
];

// A host is stale when its newest sample is older than 3 reporting intervals
// (interval estimated from the samples of the last 10 minutes; at least 30 s).
export function staleAfterMs(count10m) {
  const interval = count10m > 1 ? 600 / count10m : 60;
  return Math.max(30, 3 * interval) * 1000;
}

export async function loadFleet(signal) {
  const now = Date.now();
  const time = now / 1000;
  const keys = ['up', 'cpu', 'mem', 'disk', 'load1', 'rx', 'tx', 'seen', 'count10m'];
  const [maps, known, alerts] = await Promise.all([
    Promise.all(keys.map((k) => queryByLabel(OVERVIEW_QUERIES[k], 'instance', time, signal))),
    query(OVERVIEW_QUERIES.known, time, signal),
    // Alerts are a badge: the table still shows without them.
    loadAlerts(signal).catch((e) => { if (e.name === 'AbortError') throw e; return []; }),
  ]);
  const alertCounts = countByInstance(alerts);
  const m = Object.fromEntries(keys.map((k, i) => [k, maps[i]]));
  const jobs = new Map();
  for (const s of known.result || []) {
    const inst = s.metric.instance ?? '';
    if (!jobs.has(inst) || s.metric.job === 'system-stats') jobs.set(inst, s.metric.job ?? '');
  }
  const instances = new Set([...jobs.keys(), ...m.up.keys(), ...m.seen.keys()]);
  // Hosts silent for longer than the lookback: find when they were last heard from.
  const silent = [...instances].filter((i) => !m.seen.has(i));
  if (silent.length) {
    const re = silent.map(promRegexLiteral).join('|');
    const sel = `{instance=~${JSON.stringify(re)}}`;
    try {
      const last = await queryByLabel(
        `max by (instance) (max_over_time(timestamp(node_memory_MemTotal_bytes${sel})[1d:1m]) or max_over_time(timestamp(up${sel})[1d:1m]))`,
        'instance', time, signal);
      for (const [k, v] of last) m.seen.set(k, v);
    } catch (e) {
      if (e.name === 'AbortError') throw e;
    }
  }
  const rows = [];
  for (const instance of instances) {
    if (instance === '') continue;
    const seenMs = m.seen.has(instance) ? m.seen.get(instance) * 1000 : NaN;
    const age = Number.isFinite(seenMs) ? now - seenMs : NaN;
    const up = m.up.get(instance);
    const stale = !Number.isFinite(age) || age > staleAfterMs(m.count10m.get(instance) ?? 0);
    const fresh = !stale;
    let state = 'up';
    if (up === 0) state = 'down';
    else if (stale) state = 'stale';
    rows.push({
      instance,
      job: jobs.get(instance) ?? '',
      state,
      // Firing alerts sort first (as a number: firing + pending / 1000).
      alerts: alertCounts.has(instance)
        ? alertCounts.get(instance).firing + alertCounts.get(instance).pending / 1000 : NaN,
      alertCounts: alertCounts.get(instance),
      // A stale host's last values are not current: don't show them as such.
      cpu: fresh ? m.cpu.get(instance) : NaN,
      mem: fresh ? m.mem.get(instance) : NaN,
      disk: fresh ? m.disk.get(instance) : NaN,
      load1: fresh ? m.load1.get(instance) : NaN,
      rx: fresh ? m.rx.get(instance) : NaN,
      tx: fresh ? m.tx.get(instance) : NaN,
      age,
    });
  }
  return rows;
}

const STATE_ORDER = { down: 0, stale: 1, up: 2 };
export function sortRows(rows, key, dir) {
  const col = COLUMNS.find((c) => c.key === key) || COLUMNS[0];
  const sign = dir === 'desc' ? -1 : 1;
  const val = (r) => (key === 'state' ? STATE_ORDER[r.state] : r[key]);
  return rows.slice().sort((a, b) => {
    const va = val(a);
    const vb = val(b);
    if (col.type === 'num' || key === 'state') {
      const fa = Number.isFinite(va);
      const fb = Number.isFinite(vb);
      if (fa !== fb) return fa ? -1 : 1; // missing values last, whatever the direction
      if (fa && va !== vb) return sign * (va - vb);
    } else if (va !== vb) {
      return sign * String(va).localeCompare(String(vb), undefined, { numeric: true });
    }
    return a.instance.localeCompare(b.instance, undefined, { numeric: true });
  });
}

const level = (v) => (v >= 90 ? 'crit' : v >= 75 ? 'warn' : 'ok');

function cell(col, r) {
  const v = r[col.key];
  if (col.key === 'instance') {
    const src = r.job === 'system-stats' ? '<span class="tag">push</span>' : '';
    return `<td class="host"><a href="#/host/${encodeURIComponent(r.instance)}">${esc(r.instance)}</a>${src}</td>`;
  }
  if (col.key === 'state') return `<td><span class="state state-${r.state}">${r.state}</span></td>`;
  if (col.key === 'alerts') {
    const c = r.alertCounts;
    if (!c) return '<td class="num"></td>';
    const parts = [];
    if (c.firing) parts.push(`<span class="badge" title="firing">${c.firing}</span>`);
    if (c.pending) parts.push(`<span class="badge pending" title="pending">${c.pending}</span>`);
    return `<td class="num alerts-cell"><a href="#/alerts">${parts.join(' ')}</a></td>`;
  }
  const text = col.fmt(v);
  if (col.bar && Number.isFinite(v)) {
    const w = Math.max(0, Math.min(100, v));
    return `<td class="num" data-value="${v}"><div class="bar ${level(v)}"><span style="width:${w.toFixed(1)}%"></span></div>${esc(text)}</td>`;
  }
  return `<td class="num"${Number.isFinite(v) ? ` data-value="${v}"` : ''}>${esc(text)}</td>`;
}

export class OverviewPage {
  constructor(root) {
    this.root = root;
    this.sort = { key: 'state', dir: 'asc' };
    this.rows = null;
    root.innerHTML = `
      <div class="page-head"><h1>Fleet</h1><p class="summary muted" id="fleet-summary"></p></div>
      <p class="error" id="fleet-error" hidden></p>
      <div class="card table-wrap"><table class="fleet" id="fleet">
        <thead><tr>${COLUMNS.map((c) => `<th data-key="${c.key}" class="${c.type === 'num' ? 'num' : ''}" tabindex="0" aria-sort="none">${c.label}</th>`).join('')}</tr></thead>
        <tbody><tr><td colspan="${COLUMNS.length}" class="muted">Loading…</td></tr></tbody>
      </table></div>`;
    this.table = root.querySelector('#fleet');
    const onSort = (th) => {
      const key = th.dataset.key;
      this.sort = { key, dir: this.sort.key === key && this.sort.dir === 'asc' ? 'desc' : 'asc' };
      this.render();
    };
    this.table.querySelectorAll('th').forEach((th) => {
      th.addEventListener('click', () => onSort(th));
      th.addEventListener('keydown', (e) => { if (e.key === 'Enter' || e.key === ' ') { e.preventDefault(); onSort(th); } });
    });
  }

  async refresh() {
    this.abort?.abort();
    this.abort = new AbortController();
    const errEl = this.root.querySelector('#fleet-error');
    try {
      this.rows = await loadFleet(this.abort.signal);
      errEl.hidden = true;
    } catch (e) {
      if (e.name === 'AbortError') return;
      errEl.textContent = e.message;
      errEl.hidden = false;
      if (!this.rows) this.rows = [];
    }
    this.render();
  }

  render() {
    if (!this.rows) return;
    const rows = sortRows(this.rows, this.sort.key, this.sort.dir);
    const body = rows.length
      ? rows.map((r) => `<tr class="row-${r.state}" data-instance="${esc(r.instance)}">${COLUMNS.map((c) => cell(c, r)).join('')}</tr>`).join('')
      : `<tr><td colspan="${COLUMNS.length}" class="muted">No hosts have reported in the last day. Point system-stats-forwarder at this server or add scrape targets.</td></tr>`;
    this.table.tBodies[0].innerHTML = body;
    this.table.querySelectorAll('th').forEach((th) => {
      const on = th.dataset.key === this.sort.key;
      th.setAttribute('aria-sort', on ? (this.sort.dir === 'asc' ? 'ascending' : 'descending') : 'none');
    });
    const count = (s) => this.rows.filter((r) => r.state === s).length;
    this.root.querySelector('#fleet-summary').textContent =
      `${this.rows.length} hosts · ${count('up')} up · ${count('stale')} stale · ${count('down')} down`;
    this.table.dataset.ready = 'true';
  }

  destroy() { this.abort?.abort(); }
}
