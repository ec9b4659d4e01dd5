// The time range shared by the host and query pages: a preset relative to now
// (1h, 6h, 24h, 7d, 30d, 1y) or an absolute custom range (also set by
// drag-to-zoom). The long presets' steps and rate windows are whole hours or
// days, so the server answers them from its downsampling tiers.
// Query resolution: about 300 points per chart, on a step from a fixed ladder
// so that refreshes hit the same grid.

export const PRESETS = {
  '1h': 3600, '6h': 6 * 3600, '24h': 86400, '7d': 7 * 86400, '30d': 30 * 86400, '1y': 365 * 86400,
};
const STEPS = [15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600, 43200, 86400];
const TARGET_POINTS = 300;

let current = { preset: '1h' };
const listeners = new Set();

export const getRange = () => ({ ...current });
export function setRange(r) {
  current = r.preset ? { preset: r.preset } : { from: Math.floor(r.from), to: Math.ceil(r.to) };
  listeners.forEach((fn) => fn(getRange()));
}
export const onRangeChange = (fn) => { listeners.add(fn); return () => listeners.delete(fn); };

export function stepFor(seconds) {
  const raw = seconds / TARGET_POINTS;
  return STEPS.find((s) => s >= raw) ?? Math.ceil(raw / 86400) * 86400;
}

// {start, end, step} in seconds for the API; preset ranges are aligned to the step.
export function resolveRange(r = current, nowMs = Date.now()) {
  if (r.preset) {
    const span = PRESETS[r.preset] ?? 3600;
    const step = stepFor(span);
    const end = Math.ceil(nowMs / 1000 / step) * step;
    return { start: end - span, end, step };
  }
  const span = Math.max(60, r.to - r.from);
  const step = Math.max(1, Math.min(stepFor(span), Math.ceil(span / 60)));
  return { start: r.from, end: r.from + span, step };
}

// rate() window for a step: two steps, and at least 2 minutes so that hosts
// pushing every 30-60 s (system-stats-forwarder) have two samples in it.
export const rateWindow = (step) => `${Math.max(120, step * 2)}s`;

// "#/host/x?range=6h" or "?from=..&to=.." <-> range state.
export function rangeFromParams(params) {
  if (params.get('from') && params.get('to')) {
    const from = Number(params.get('from'));
    const to = Number(params.get('to'));
    if (Number.isFinite(from) && Number.isFinite(to) && to > from) return { from, to };
  }
  const p = params.get('range');
  return PRESETS[p] ? { preset: p } : null;
}
export function rangeToParams(r, params) {
  params.delete('range'); params.delete('from'); params.delete('to');
  if (r.preset) params.set('range', r.preset);
  else { params.set('from', String(r.from)); params.set('to', String(r.to)); }
}

// Wires the header's range picker.
export function initRangePicker(root) {
  const customForm = root.querySelector('#range-custom');
  const from = root.querySelector('#range-from');
  const to = root.querySelector('#range-to');
  const toLocal = (sec) => {
    const d = new Date(sec * 1000);
    return new Date(d.getTime() - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16);
  };
  const paint = () => {
    root.querySelectorAll('[data-range]').forEach((b) => {
      const active = current.preset ? b.dataset.range === current.preset : b.dataset.range === 'custom';
      b.classList.toggle('active', active);
      b.setAttribute('aria-pressed', String(active));
    });
  };
  root.querySelectorAll('[data-range]').forEach((b) => b.addEventListener('click', () => {
    if (b.dataset.range === 'custom') {
      const { start, end } = resolveRange();
      from.value = toLocal(start);
      to.value = toLocal(end);
      customForm.hidden = !customForm.hidden;
      return;
    }
    customForm.hidden = true;
    setRange({ preset: b.dataset.range });
  }));
  customForm.addEventListener('submit', (e) => {
    e.preventDefault();
    const f = new Date(from.value).getTime() / 1000;
    const t = new Date(to.value).getTime() / 1000;
    if (!(t > f)) { to.setCustomValidity('must be after From'); to.reportValidity(); return; }
    to.setCustomValidity('');
    customForm.hidden = true;
    setRange({ from: f, to: t });
  });
  onRangeChange(paint);
  paint();
}
