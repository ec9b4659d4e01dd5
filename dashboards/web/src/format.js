// Number and time formatting shared by tables, axes and tooltips.

export function esc(s) {
  return String(s).replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]);
}

const fin = (v) => v !== null && v !== undefined && Number.isFinite(v);

export function fmtNum(v, digits = 2) {
  if (!fin(v)) return '–';
  const a = Math.abs(v);
  if (a !== 0 && (a >= 1e6 || a < 1e-3)) return v.toExponential(digits);
  return v.toLocaleString('en-US', { maximumFractionDigits: a >= 100 ? 1 : digits });
}

export function fmtPercent(v) {
  return fin(v) ? `${v.toFixed(v >= 99.95 || v < 10 ? 1 : 0)}%` : '–';
}

const UNITS = ['B', 'KiB', 'MiB', 'GiB', 'TiB', 'PiB'];
export function fmtBytes(v, suffix = '') {
  if (!fin(v)) return '–';
  let i = 0;
  let x = Math.abs(v);
  while (x >= 1024 && i < UNITS.length - 1) { x /= 1024; i++; }
  const digits = x >= 100 || i === 0 || Number.isInteger(x) ? 0 : 1;
  return `${v < 0 ? '-' : ''}${x.toFixed(digits)} ${UNITS[i]}${suffix}`;
}
export const fmtRate = (v) => fmtBytes(v, '/s');

export function fmtAgo(ms) {
  if (!fin(ms)) return 'never';
  const s = Math.max(0, Math.round(ms / 1000));
  if (s < 90) return `${s}s ago`;
  if (s < 5400) return `${Math.round(s / 60)}m ago`;
  if (s < 129600) return `${Math.round(s / 3600)}h ago`;
  return `${Math.round(s / 86400)}d ago`;
}

export function fmtDuration(seconds) {
  if (!fin(seconds)) return '–';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  return d ? `${d}d ${h}h` : h ? `${h}h ${m}m` : `${m}m`;
}

export const formatters = {
  percent: fmtPercent,
  bytes: fmtBytes,
  rate: fmtRate,
  celsius: (v) => (fin(v) ? `${v.toFixed(1)} °C` : '–'),
  number: fmtNum,
};
