// Cardinality: what the store's series are made of (/api/v1/status/tsdb,
// Prometheus's TSDB status): the metric names, label names and label pairs
// with the most series, so the source of a series explosion can be found.
// Each metric name links to the query page with a count by instance.
import { apiGet, promStr } from './api.js';
import { esc, fmtBytes } from './format.js';

export async function loadCardinality(limit, signal) {
  return apiGet('status/tsdb', { limit }, signal);
}

const LIMIT = 20;

export class CardinalityPage {
  constructor(root) {
    this.root = root;
    root.innerHTML = `
      <div class="page-head"><h1>Cardinality</h1><p class="summary muted" id="card-summary"></p></div>
      <p class="error" id="card-error" hidden></p>
      <div class="card-grid">
        ${['names', 'pairs', 'labels', 'memory'].map((id) => `
          <div class="card table-wrap"><table class="cardinality" id="card-${id}">
            <tbody><tr><td class="muted">Loading…</td></tr></tbody></table></div>`).join('')}
      </div>`;
  }

  showError(msg) {
    const el = this.root.querySelector('#card-error');
    el.textContent = msg;
    el.hidden = !msg;
  }

  async refresh() {
    this.abort?.abort();
    this.abort = new AbortController();
    try {
      this.data = await loadCardinality(LIMIT, this.abort.signal);
      this.showError('');
    } catch (e) {
      if (e.name === 'AbortError') return;
      this.showError(e.message);
      return;
    }
    this.render();
  }

  render() {
    const d = this.data;
    const h = d.headStats;
    this.root.querySelector('#card-summary').textContent =
      `${h.numSeries.toLocaleString('en-US')} series · ${h.numLabelPairs.toLocaleString('en-US')} label pairs`;
    const table = (id, title, unit, rows, link) => {
      const max = Math.max(1, ...rows.map((r) => r.value));
      const body = rows.length === 0 ? '<tr><td colspan="2" class="muted">No series</td></tr>' : rows.map((r) => {
        const share = h.numSeries > 0 && unit === 'series' ? ` <span class="muted">${(100 * r.value / h.numSeries).toFixed(1)}%</span>` : '';
        const name = link ? `<a href="${esc(link(r.name))}">${esc(r.name)}</a>` : esc(r.name);
        const value = unit === 'bytes' ? fmtBytes(r.value) : r.value.toLocaleString('en-US');
        return `<tr data-name="${esc(r.name)}"><td class="name">${name}<div class="bar" style="width:${(100 * r.value / max).toFixed(1)}%"></div></td>
          <td class="num">${value}${share}</td></tr>`;
      }).join('');
      const el = this.root.querySelector(`#card-${id}`);
      el.innerHTML =
        `<thead><tr><th>${esc(title)}</th><th class="num">${esc(unit)}</th></tr></thead><tbody>${body}</tbody>`;
      el.dataset.ready = 'true';
    };
    const byInstance = (name) => `#/query?q=${encodeURIComponent(`count by (instance) ({__name__=${promStr(name)}})`)}`;
    table('names', 'Metric names with the most series', 'series', d.seriesCountByMetricName, byInstance);
    table('pairs', 'Label pairs with the most series', 'series', d.seriesCountByLabelValuePair);
    table('labels', 'Label names with the most values', 'values', d.labelValueCountByLabelName);
    table('memory', 'Label names by the size of their values', 'bytes', d.memoryInBytesByLabelName);
  }

  destroy() { this.abort?.abort(); }
}
