// A titled time-series chart on uPlot: aligns Prometheus range results on one
// time axis, formats axes/legend by unit, follows the theme, resizes with its
// card, and reports drag selections (zoom) to its owner.
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { esc, formatters } from './format.js';

const PALETTE = ['#3b82f6', '#f59e0b', '#10b981', '#ef4444', '#8b5cf6', '#06b6d4', '#ec4899',
  '#84cc16', '#f97316', '#6366f1', '#14b8a6', '#eab308'];

const live = new Set();
// Test and debugging hook: every chart on the page with its uPlot instance.
Object.defineProperty(window, '__charts', {
  configurable: true,
  get: () => [...live].map((c) => c.describe()),
});

const cssVar = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

// Range results ([{metric, values: [[t, "v"], ...]}]) -> uPlot's columnar data
// on the grid start..end by step (missing samples are gaps).
export function alignRange(results, start, end, step) {
  const n = Math.floor((end - start) / step) + 1;
  const xs = new Array(n);
  for (let i = 0; i < n; i++) xs[i] = start + i * step;
  const cols = results.map((r) => {
    const col = new Array(n).fill(null);
    for (const [t, v] of r.values || []) {
      const i = Math.round((t - start) / step);
      if (i >= 0 && i < n) {
        const num = Number(v);
        col[i] = Number.isFinite(num) ? num : null;
      }
    }
    return col;
  });
  return [xs, ...cols];
}

// Axis ticks on binary multiples for byte quantities (1, 2, 5, 10, ... KiB).
const BINARY_INCRS = [];
for (let k = 0; k < 6; k++) for (const m of [1, 2, 5, 10, 20, 50, 100, 200, 500]) BINARY_INCRS.push(m * 1024 ** k);
const AXIS_FORMAT = {
  percent: (v) => `${+v.toFixed(2)}%`,
  celsius: (v) => `${+v.toFixed(1)} °C`,
};

function lastValue(col) {
  if (!col) return null;
  for (let i = col.length - 1; i >= 0; i--) if (col[i] !== null && col[i] !== undefined) return col[i];
  return null;
}

export class Chart {
  // opts: {title, unit: key of formatters, height, onZoom(fromSec, toSec), min, max}
  constructor(parent, opts) {
    this.opts = opts;
    this.el = document.createElement('section');
    this.el.className = 'card chart';
    this.el.innerHTML = `<h3>${esc(opts.title)}</h3><div class="plot"></div><p class="empty muted" hidden></p>`;
    parent.appendChild(this.el);
    this.plotEl = this.el.querySelector('.plot');
    this.emptyEl = this.el.querySelector('.empty');
    this.plot = null;
    this.labels = [];
    this.data = null;
    this.resize = new ResizeObserver(() => this.fit());
    this.resize.observe(this.el);
    live.add(this);
  }

  describe() {
    const d = this.plot ? this.plot.data : [[]];
    let points = 0;
    for (let i = 1; i < d.length; i++) for (const v of d[i]) if (v !== null && v !== undefined) points++;
    return { title: this.opts.title, series: this.labels.slice(), xs: d[0].length, points, plot: this.plot, element: this.el };
  }

  size() {
    const w = Math.max(200, this.plotEl.clientWidth || this.el.clientWidth - 24);
    const h = this.opts.height || (w < 500 ? 180 : 220);
    return { width: w, height: h };
  }

  fit() {
    if (!this.plot) return;
    const s = this.size();
    if (Math.abs(s.width - this.plot.width) > 1) this.plot.setSize(s);
  }

  showMessage(text, isError = false) {
    this.destroyPlot();
    this.emptyEl.textContent = text;
    this.emptyEl.classList.toggle('error', isError);
    this.emptyEl.hidden = false;
  }

  // series: [{label, ...}] matching data columns 1..n; data: [xs, ...cols].
  setData(labels, data) {
    this.data = data;
    if (labels.length === 0) { this.labels = []; this.showMessage('No data in this range'); return; }
    this.emptyEl.hidden = true;
    const same = this.plot && labels.length === this.labels.length && labels.every((l, i) => l === this.labels[i]);
    this.labels = labels;
    if (same) { this.plot.setData(data); return; }
    this.build();
  }

  build() {
    this.destroyPlot();
    if (!this.data || this.labels.length === 0) return;
    const unit = this.opts.unit;
    const fmt = formatters[unit] || formatters.number;
    const axisFmt = AXIS_FORMAT[unit] || fmt;
    const axisStroke = cssVar('--muted') || '#666';
    const grid = cssVar('--grid') || '#eee';
    const axis = { stroke: axisStroke, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid, width: 1 } };
    const opts = {
      ...this.size(),
      cursor: { drag: { x: true, y: false, setScale: false }, points: { size: 6 } },
      select: { show: true },
      legend: { live: true },
      scales: { x: { time: true }, y: this.opts.min !== undefined ? { range: (u, lo, hi) => [this.opts.min, Math.max(hi, this.opts.max ?? hi)] } : {} },
      axes: [
        { ...axis },
        {
          ...axis,
          values: (u, splits) => splits.map((v) => axisFmt(v)),
          // Wide enough for the longest label (e.g. "1.5 GiB/s").
          size: (u, values) => (values && values.length ? Math.ceil(Math.max(...values.map((v) => v.length)) * 8 + 20) : 40),
          ...(unit === 'bytes' || unit === 'rate' ? { incrs: BINARY_INCRS } : {}),
        },
      ],
      series: [
        {},
        ...this.labels.map((label, i) => ({
          label,
          stroke: PALETTE[i % PALETTE.length],
          width: 1.5,
          fill: this.labels.length === 1 ? PALETTE[0] + '22' : undefined,
          spanGaps: false,
          points: { show: false },
          // Under the cursor: that point; otherwise the newest value.
          value: (u, v, si, idx) => fmt(idx === null || idx === undefined ? lastValue(u.data[si]) : v),
        })),
      ],
      hooks: {
        setSelect: [(u) => {
          if (u.select.width > 4 && this.opts.onZoom) {
            const from = u.posToVal(u.select.left, 'x');
            const to = u.posToVal(u.select.left + u.select.width, 'x');
            u.setSelect({ left: 0, top: 0, width: 0, height: 0 }, false);
            this.opts.onZoom(from, to);
          }
        }],
      },
    };
    this.plot = new uPlot(opts, this.data, this.plotEl);
  }

  destroyPlot() {
    if (this.plot) { this.plot.destroy(); this.plot = null; }
  }

  destroy() {
    this.destroyPlot();
    this.resize.disconnect();
    live.delete(this);
    this.el.remove();
  }
}

// Rebuilds every chart (after a theme change: axis and grid colours are baked in).
export function rebuildCharts() {
  for (const c of live) if (c.plot) c.build();
}
