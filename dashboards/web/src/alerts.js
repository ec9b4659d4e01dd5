// Alerts: firing and pending alerts of the server's alerting rules
// (/api/v1/alerts), with labels, annotations and since when, and silences
// (/api/v2/silences, Alertmanager's API, served by the built-in notifier):
// list, create from an alert's labels, expire.
import { apiGet } from './api.js';
import { esc, fmtAgo } from './format.js';

const silencesUrl = () => new URL('../api/v2/silences', document.baseURI);
const silenceUrl = (id) => new URL(`../api/v2/silence/${encodeURIComponent(id)}`, document.baseURI);

// Firing and pending alerts, firing first, then by name and labels.
export async function loadAlerts(signal) {
  const data = await apiGet('alerts', {}, signal);
  const order = { firing: 0, pending: 1 };
  return (data.alerts || []).slice().sort((a, b) =>
    (order[a.state] ?? 2) - (order[b.state] ?? 2) ||
    String(a.labels.alertname).localeCompare(String(b.labels.alertname)) ||
    JSON.stringify(a.labels).localeCompare(JSON.stringify(b.labels)));
}

// Alerts by instance label: {firing, pending} counts for the fleet badges.
export function countByInstance(alerts) {
  const out = new Map();
  for (const a of alerts) {
    const inst = a.labels.instance;
    if (!inst) continue;
    const c = out.get(inst) || { firing: 0, pending: 0 };
    if (a.state === 'firing') c.firing++;
    else if (a.state === 'pending') c.pending++;
    out.set(inst, c);
  }
  return out;
}

export async function loadSilences(signal) {
  const res = await fetch(silencesUrl(), { signal, headers: { Accept: 'application/json' } });
  if (res.status === 404) return null; // no built-in notifier
  if (!res.ok) throw new Error(`silences: HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
  return res.json();
}

export async function createSilence(alertLabels, hours, comment, createdBy) {
  const now = new Date();
  const body = {
    matchers: Object.entries(alertLabels).map(([name, value]) => ({ name, value, isRegex: false, isEqual: true })),
    startsAt: now.toISOString(),
    endsAt: new Date(now.getTime() + hours * 3600e3).toISOString(),
    createdBy,
    comment,
  };
  const res = await fetch(silencesUrl(), {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`silence refused: HTTP ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text).silenceID;
}

export async function expireSilence(id) {
  const res = await fetch(silenceUrl(id), { method: 'DELETE' });
  if (!res.ok) throw new Error(`expire: HTTP ${res.status}: ${(await res.text()).slice(0, 300)}`);
}

const labelList = (labels, skip = []) => Object.entries(labels)
  .filter(([k]) => !skip.includes(k))
  .map(([k, v]) => `<span class="label">${esc(k)}="${esc(v)}"</span>`).join(' ');

const matcherText = (m) => `${m.name}${m.isEqual === false ? '!' : ''}${m.isRegex ? '=~' : '='}"${m.value}"`;

export class AlertsPage {
  constructor(root) {
    this.root = root;
    root.innerHTML = `
      <div class="page-head"><h1>Alerts</h1><p class="summary muted" id="alerts-summary"></p></div>
      <p class="error" id="alerts-error" hidden></p>
      <div class="card table-wrap"><table class="alerts" id="alerts">
        <thead><tr><th>State</th><th>Alert</th><th>Labels</th><th>Summary</th><th>Since</th><th></th></tr></thead>
        <tbody><tr><td colspan="6" class="muted">Loading…</td></tr></tbody>
      </table></div>
      <form class="card silence-form" id="silence-form" hidden>
        <h2>Silence <span id="silence-target"></span></h2>
        <label>For <select id="silence-hours"><option value="1">1 hour</option><option value="4">4 hours</option>
          <option value="24">1 day</option><option value="168">1 week</option></select></label>
        <label>By <input id="silence-by" required placeholder="your name"></label>
        <label>Comment <input id="silence-comment" required placeholder="why"></label>
        <button type="submit" class="primary">Silence</button> <button type="button" id="silence-cancel">Cancel</button>
      </form>
      <h2 class="section">Silences</h2>
      <div class="card table-wrap"><table class="silences" id="silences">
        <thead><tr><th>State</th><th>Matchers</th><th>Ends</th><th>By</th><th>Comment</th><th></th></tr></thead>
        <tbody><tr><td colspan="6" class="muted">Loading…</td></tr></tbody>
      </table></div>`;
    this.form = root.querySelector('#silence-form');
    this.form.addEventListener('submit', (e) => { e.preventDefault(); this.submitSilence(); });
    root.querySelector('#silence-cancel').addEventListener('click', () => { this.form.hidden = true; });
    root.querySelector('#alerts').addEventListener('click', (e) => {
      const btn = e.target.closest('button[data-silence]');
      if (!btn) return;
      this.target = this.alerts[Number(btn.dataset.silence)];
      root.querySelector('#silence-target').textContent = this.target.labels.alertname;
      this.form.hidden = false;
      root.querySelector('#silence-by').focus();
    });
    root.querySelector('#silences').addEventListener('click', async (e) => {
      const btn = e.target.closest('button[data-expire]');
      if (!btn) return;
      try { await expireSilence(btn.dataset.expire); } catch (err) { this.showError(err.message); }
      this.refresh();
    });
  }

  showError(msg) {
    const el = this.root.querySelector('#alerts-error');
    el.textContent = msg;
    el.hidden = !msg;
  }

  async submitSilence() {
    const q = (id) => this.root.querySelector(id).value;
    try {
      await createSilence(this.target.labels, Number(q('#silence-hours')), q('#silence-comment'), q('#silence-by'));
      this.form.hidden = true;
      this.showError('');
    } catch (e) {
      this.showError(e.message);
    }
    this.refresh();
  }

  async refresh() {
    this.abort?.abort();
    this.abort = new AbortController();
    try {
      const [alerts, silences] = await Promise.all([
        loadAlerts(this.abort.signal),
        loadSilences(this.abort.signal).catch((e) => { if (e.name === 'AbortError') throw e; return null; }),
      ]);
      this.alerts = alerts;
      this.silences = silences;
      this.showError('');
    } catch (e) {
      if (e.name === 'AbortError') return;
      this.showError(e.message);
      this.alerts = this.alerts || [];
    }
    this.render();
  }

  render() {
    const now = Date.now();
    const alerts = this.alerts || [];
    const active = (this.silences || []).filter((s) => s.status?.state === 'active');
    const silencedBy = (a) => active.find((s) => s.matchers.every((m) => {
      const v = a.labels[m.name] ?? '';
      let hit = m.isRegex ? new RegExp(`^(?:${m.value})$`).test(v) : v === m.value;
      if (m.isEqual === false) hit = !hit;
      return hit;
    }));
    const rows = alerts.map((a, i) => {
      const s = silencedBy(a);
      const state = s ? 'silenced' : a.state;
      const since = a.activeAt ? fmtAgo(now - Date.parse(a.activeAt)) : '';
      const summary = a.annotations.summary || a.annotations.description || '';
      return `<tr class="alert-${state}" data-alertname="${esc(a.labels.alertname)}">
        <td><span class="state state-${state}">${state}</span></td>
        <td class="alertname">${esc(a.labels.alertname)}</td>
        <td class="labels">${labelList(a.labels, ['alertname'])}</td>
        <td class="annotation">${esc(summary)}</td>
        <td>${esc(since)}</td>
        <td>${s || this.silences === null ? '' : `<button type="button" data-silence="${i}">Silence</button>`}</td></tr>`;
    });
    const tbody = this.root.querySelector('#alerts').tBodies[0];
    tbody.innerHTML = rows.length ? rows.join('')
      : '<tr><td colspan="6" class="muted">No alert is firing or pending.</td></tr>';
    const firing = alerts.filter((a) => a.state === 'firing').length;
    this.root.querySelector('#alerts-summary').textContent =
      `${firing} firing · ${alerts.length - firing} pending`;
    const stbody = this.root.querySelector('#silences').tBodies[0];
    if (this.silences === null) {
      stbody.innerHTML = '<tr><td colspan="6" class="muted">Silences belong to the built-in notifier (the <code>notifications:</code> section of the server config); with an external Alertmanager, silence there.</td></tr>';
    } else {
      const list = (this.silences || []).filter((s) => s.status?.state !== 'expired');
      stbody.innerHTML = list.length ? list.map((s) => `<tr data-silence-id="${esc(s.id)}">
          <td><span class="state state-${esc(s.status.state)}">${esc(s.status.state)}</span></td>
          <td class="labels">${s.matchers.map((m) => `<span class="label">${esc(matcherText(m))}</span>`).join(' ')}</td>
          <td>${esc(new Date(s.endsAt).toLocaleString())}</td><td>${esc(s.createdBy)}</td><td>${esc(s.comment)}</td>
          <td><button type="button" data-expire="${esc(s.id)}">Expire</button></td></tr>`).join('')
        : '<tr><td colspan="6" class="muted">No active or pending silence.</td></tr>';
    }
    this.root.querySelector('#alerts').dataset.ready = 'true';
  }

  destroy() { this.abort?.abort(); }
}
