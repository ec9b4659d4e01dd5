// Host view: range charts for one instance. Each panel is one or more PromQL
// expressions; scraped (node_exporter) and pushed (system-stats) hosts both
// answer them because pushed hosts get the node_* names where they exist.
import { query, queryRange, promStr } from './api.js';
import { Chart, alignRange } from './chart.js';
import { esc, fmtBytes, fmtDuration, fmtNum } from './format.js';
import { getRange, resolveRange, rateWindow, setRange } from './range.js';

const FS = 'fstype!~"tmpfs|devtmpfs|overlay|squashfs|ramfs|nsfs|proc|sysfs|cgroup2?|autofs|fuse\\\\..*"';
const NET = 'device!~"lo|veth.*|docker.*|br-.*|virbr.*"';

// label(metric) names a series in the legend.
export function hostPanels(instance) {
  const i = `instance=${promStr(instance)}`;
  return [
    {
      id: 'cpu', title: 'CPU by mode', unit: 'percent', min: 0, max: 100,
      queries: [{
        expr: (w) => `sum by (mode) (rate(node_cpu_seconds_total{${i},mode!="idle"}[${w}])) * 100 / scalar(count(node_cpu_seconds_total{${i},mode="idle"}))`
          + ` or label_replace(max(system_cpu_percent{${i}}), "mode", "busy", "", "")`,
        label: (m) => m.mode,
      }],
    },
    {
      id: 'memory', title: 'Memory', unit: 'bytes', min: 0,
      queries: [
        { expr: () => `max(node_memory_MemTotal_bytes{${i}}) - max(node_memory_MemAvailable_bytes{${i}})`, label: () => 'used' },
        { expr: () => `max(node_memory_Cached_bytes{${i}}) + max(node_memory_Buffers_bytes{${i}}) or max(node_memory_Cached_bytes{${i}})`, label: () => 'cached + buffers' },
        { expr: () => `max(node_memory_MemAvailable_bytes{${i}})`, label: () => 'available' },
      ],
    },
    {
      id: 'load', title: 'Load average', unit: 'number', min: 0,
      queries: [
        { expr: () => `max(node_load1{${i}})`, label: () => '1m' },
        { expr: () => `max(node_load5{${i}})`, label: () => '5m' },
        { expr: () => `max(node_load15{${i}})`, label: () => '15m' },
      ],
    },
    {
      id: 'disk', title: 'Disk space used per mountpoint', unit: 'percent', min: 0, max: 100,
      queries: [{
        expr: () => `max by (mountpoint) (100 * (1 - node_filesystem_avail_bytes{${i},${FS}} / node_filesystem_size_bytes{${i},${FS}}))`,
        label: (m) => m.mountpoint,
      }],
    },
    {
      id: 'diskio', title: 'Disk I/O', unit: 'rate', min: 0,
      queries: [
        { expr: (w) => `sum by (device) (rate(node_disk_read_bytes_total{${i}}[${w}]))`, label: (m) => `${m.device} read` },
        { expr: (w) => `sum by (device) (rate(node_disk_written_bytes_total{${i}}[${w}]))`, label: (m) => `${m.device} write` },
      ],
    },
    {
      id: 'network', title: 'Network throughput per interface', unit: 'rate', min: 0,
      queries: [
        { expr: (w) => `sum by (device) (rate(node_network_receive_bytes_total{${i},${NET}}[${w}]))`, label: (m) => `${m.device} in` },
        { expr: (w) => `sum by (device) (rate(node_network_transmit_bytes_total{${i},${NET}}[${w}]))`, label: (m) => `${m.device} out` },
      ],
    },
    {
      id: 'temperature', title: 'Temperatures', unit: 'celsius', optional: true,
      queries: [{ expr: () => `max by (chip, sensor) (node_hwmon_temp_celsius{${i}})`, label: (m) => `${m.chip} ${m.sensor}` }],
    },
  ];
}

export class HostPage {
  constructor(root, instance) {
    this.root = root;
    this.instance = instance;
    this.panels = hostPanels(instance);
    root.innerHTML = `
      <div class="page-head">
        <h1><a href="#/" class="back" aria-label="Back to the fleet">←</a> ${esc(instance)}</h1>
        <p class="muted" id="host-info"></p>
      </div>
      <p class="error" id="host-error" hidden></p>
      <p class="muted hint">Drag across a chart to zoom; pick a preset to go back.</p>
      <div class="charts" id="charts"></div>`;
    const grid = root.querySelector('#charts');
    const onZoom = (from, to) => setRange({ from, to });
    this.charts = this.panels.map((p) => {
      const c = new Chart(grid, { title: p.title, unit: p.unit, min: p.min, max: p.max, onZoom });
      c.el.dataset.panel = p.id;
      if (p.optional) c.el.hidden = true;
      return c;
    });
  }

  async refresh() {
    this.abort?.abort();
    this.abort = new AbortController();
    const signal = this.abort.signal;
    const { start, end, step } = resolveRange(getRange());
    const w = rateWindow(step);
    const errors = [];
    const info = this.loadInfo(signal).catch(() => {});
    await Promise.all(this.panels.map(async (p, k) => {
      const chart = this.charts[k];
      try {
        const results = await Promise.all(p.queries.map((q) => queryRange(q.expr(w), start, end, step, signal)));
        const labels = [];
        const series = [];
        results.forEach((data, qi) => {
          const rs = (data.result || []).slice().sort((a, b) =>
            p.queries[qi].label(a.metric).localeCompare(p.queries[qi].label(b.metric), undefined, { numeric: true }));
          for (const r of rs) { labels.push(p.queries[qi].label(r.metric) || p.title); series.push(r); }
        });
        if (p.optional) chart.el.hidden = series.length === 0;
        chart.setData(labels, alignRange(series, start, end, step));
      } catch (e) {
        if (e.name === 'AbortError') return;
        errors.push(`${p.title}: ${e.message}`);
        chart.showMessage(e.message, true);
      }
    }));
    await info;
    if (signal.aborted) return;
    const errEl = this.root.querySelector('#host-error');
    errEl.hidden = errors.length === 0;
    errEl.textContent = errors.join('\n');
    this.root.dataset.loaded = String(Date.now());
  }

  async loadInfo(signal) {
    const i = `instance=${promStr(this.instance)}`;
    const [uname, cpus, mem, boot, seen] = await Promise.all([
      query(`node_uname_info{${i}}`, undefined, signal),
      query(`count(node_cpu_seconds_total{${i},mode="idle"}) or max(system_cpu_count{${i}})`, undefined, signal),
      query(`max(node_memory_MemTotal_bytes{${i}})`, undefined, signal),
      query(`max(node_boot_time_seconds{${i}})`, undefined, signal),
      query(`max(max_over_time(timestamp(node_memory_MemTotal_bytes{${i}})[1d:1m]))`, undefined, signal),
    ]);
    const first = (d) => (d.result && d.result[0] ? Number(d.result[0].value[1]) : NaN);
    const parts = [];
    const u = uname.result && uname.result[0] && uname.result[0].metric;
    if (u) parts.push([u.sysname, u.release, u.machine].filter(Boolean).join(' '));
    if (Number.isFinite(first(cpus))) parts.push(`${fmtNum(first(cpus), 0)} CPUs`);
    if (Number.isFinite(first(mem))) parts.push(`${fmtBytes(first(mem))} memory`);
    if (Number.isFinite(first(boot))) parts.push(`up ${fmtDuration(Date.now() / 1000 - first(boot))}`);
    const last = first(seen);
    if (Number.isFinite(last)) parts.push(`last sample ${new Date(last * 1000).toLocaleString()}`);
    else parts.push('no samples in the last day');
    this.root.querySelector('#host-info').textContent = parts.join(' · ');
  }

  destroy() {
    this.abort?.abort();
    this.charts.forEach((c) => c.destroy());
  }
}
