// Ad-hoc PromQL: query_range over the header's time range -> a chart and a
// table (one row per series: labels, last, min, max). API errors are shown as
// the API returns them: "<errorType>: <error>".
import { queryRange } from './api.js';
import { Chart, alignRange } from './chart.js';
import { esc, fmtNum } from './format.js';
import { getRange, resolveRange, setRange } from './range.js';

export const seriesName = (metric) => {
  const { __name__: name = '', ...rest } = metric;
  const labels = Object.entries(rest).map(([k, v]) => `${k}=${JSON.stringify(v)}`).join(', ');
  return labels ? `${name}{${labels}}` : name || '{}';
};

const MAX_SERIES = 50;

export class QueryPage {
  constructor(root, params) {
    this.root = root;
    this.params = params;
    root.innerHTML = `
      <div class="page-head"><h1>Query</h1><p class="muted">PromQL over the selected time range, through <code>/api/v1/query_range</code>.</p></div>
      <form class="card query-form" id="query-form">
        <textarea id="promql" name="query" rows="3" spellcheck="false" autocapitalize="off" autocomplete="off"
          placeholder='e.g. rate(node_network_receive_bytes_total{device!="lo"}[5m])'></textarea>
        <div class="row"><button type="submit" class="primary">Run</button><span class="muted small">Ctrl+Enter runs</span><span class="muted small" id="query-stats"></span></div>
      </form>
      <pre class="error" id="query-error" hidden></pre>
      <div id="query-chart"></div>
      <div class="card table-wrap" id="query-table-wrap" hidden><table class="results" id="query-table">
        <thead><tr><th>Series</th><th class="num">Last</th><th class="num">Min</th><th class="num">Max</th></tr></thead><tbody></tbody>
      </table></div>`;
    this.text = root.querySelector('#promql');
    this.text.value = params.get('q') || '';
    this.chart = new Chart(root.querySelector('#query-chart'), { title: 'Result', unit: 'number', onZoom: (from, to) => setRange({ from, to }) });
    this.chart.el.hidden = true;
    root.querySelector('#query-form').addEventListener('submit', (e) => {
      e.preventDefault();
      const q = this.text.value.trim();
      const p = new URLSearchParams(location.hash.split('?')[1] || '');
      p.set('q', q);
      history.replaceState(null, '', `#/query?${p}`);
      this.refresh();
    });
    this.text.addEventListener('keydown', (e) => {
      if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); root.querySelector('#query-form').requestSubmit(); }
    });
  }

  async refresh() {
    const q = this.text.value.trim();
    if (!q) return;
    this.abort?.abort();
    this.abort = new AbortController();
    const errEl = this.root.querySelector('#query-error');
    const wrap = this.root.querySelector('#query-table-wrap');
    const stats = this.root.querySelector('#query-stats');
    const { start, end, step } = resolveRange(getRange());
    const t0 = performance.now();
    let data;
    try {
      data = await queryRange(q, start, end, step, this.abort.signal);
    } catch (e) {
      if (e.name === 'AbortError') return;
      errEl.textContent = `${e.errorType}: ${e.error}`;
      errEl.hidden = false;
      this.chart.el.hidden = true;
      wrap.hidden = true;
      stats.textContent = '';
      this.root.dataset.state = 'error';
      return;
    }
    errEl.hidden = true;
    let result = data.result || [];
    if (data.resultType === 'scalar') result = [{ metric: {}, values: [data.result] }];
    const shown = result.slice(0, MAX_SERIES);
    stats.textContent = `${result.length} series · step ${step}s · ${Math.round(performance.now() - t0)} ms`
      + (result.length > MAX_SERIES ? ` · chart shows the first ${MAX_SERIES}` : '');
    this.chart.el.hidden = false;
    this.chart.setData(shown.map((r) => seriesName(r.metric)), alignRange(shown, start, end, step));
    const rows = result.map((r) => {
      const vals = (r.values || []).map(([, v]) => Number(v)).filter(Number.isFinite);
      const last = r.values && r.values.length ? Number(r.values[r.values.length - 1][1]) : NaN;
      return `<tr><td class="series">${esc(seriesName(r.metric))}</td><td class="num">${fmtNum(last, 4)}</td>`
        + `<td class="num">${vals.length ? fmtNum(Math.min(...vals), 4) : '–'}</td><td class="num">${vals.length ? fmtNum(Math.max(...vals), 4) : '–'}</td></tr>`;
    });
    this.root.querySelector('#query-table tbody').innerHTML =
      rows.join('') || '<tr><td colspan="4" class="muted">Empty result</td></tr>';
    wrap.hidden = false;
    this.root.dataset.state = 'ok';
  }

  destroy() {
    this.abort?.abort();
    this.chart.destroy();
  }
}
