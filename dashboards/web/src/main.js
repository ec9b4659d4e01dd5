// Entry point: hash router (#/, #/host/<instance>, #/query, #/alerts, #/cardinality), theme, the header's
// range picker and auto-refresh.
import './style.css';
import { AlertsPage, loadAlerts } from './alerts.js';
import { CardinalityPage } from './cardinality.js';
import { rebuildCharts } from './chart.js';
import { HostPage } from './host.js';
import { OverviewPage } from './overview.js';
import { QueryPage } from './querypage.js';
import { getRange, initRangePicker, onRangeChange, rangeFromParams, rangeToParams, setRange } from './range.js';

const app = document.getElementById('app');
const rangeEl = document.getElementById('range');
const REFRESH_MS = 30000;
let page = null;
let pageKey = '';
let timer = null;

function parseHash() {
  const h = location.hash.replace(/^#\/?/, '');
  const [path, qs = ''] = h.split('?');
  const params = new URLSearchParams(qs);
  const parts = path.split('/');
  if (parts[0] === 'host' && parts.length > 1) {
    return { name: 'host', instance: decodeURIComponent(parts.slice(1).join('/')), params };
  }
  if (parts[0] === 'query') return { name: 'query', params };
  if (parts[0] === 'alerts') return { name: 'alerts', params };
  if (parts[0] === 'cardinality') return { name: 'cardinality', params };
  return { name: 'overview', params };
}

// The header's alert badge: firing alerts (or pending, in amber), every refresh.
const badge = document.getElementById('alert-badge');
async function updateBadge() {
  try {
    const alerts = await loadAlerts();
    const firing = alerts.filter((a) => a.state === 'firing').length;
    const n = firing || alerts.length;
    badge.hidden = n === 0;
    badge.textContent = String(n);
    badge.classList.toggle('pending', firing === 0);
    badge.title = `${firing} firing, ${alerts.length - firing} pending`;
  } catch {
    badge.hidden = true;
  }
}

function route() {
  const r = parseHash();
  const key = r.name === 'host' ? `host/${r.instance}` : r.name;
  const wanted = rangeFromParams(r.params);
  if (wanted && JSON.stringify(wanted) !== JSON.stringify(getRange())) {
    setRange(wanted); // re-enters through the listener below, which refreshes
    if (key === pageKey) return;
  }
  if (key === pageKey && page) { page.refresh(); return; }
  page?.destroy();
  pageKey = key;
  document.querySelectorAll('[data-nav]').forEach((a) => a.classList.toggle('active', a.dataset.nav === r.name));
  rangeEl.hidden = r.name === 'overview' || r.name === 'alerts' || r.name === 'cardinality';
  if (r.name === 'host') {
    page = new HostPage(app, r.instance);
    document.title = `${r.instance} · Monitoring`;
  } else if (r.name === 'alerts') {
    page = new AlertsPage(app);
    document.title = 'Alerts · Monitoring';
  } else if (r.name === 'cardinality') {
    page = new CardinalityPage(app);
    document.title = 'Cardinality · Monitoring';
  } else if (r.name === 'query') {
    page = new QueryPage(app, r.params);
    document.title = 'Query · Monitoring';
  } else {
    page = new OverviewPage(app);
    document.title = 'Fleet · Monitoring';
  }
  page.refresh();
}

onRangeChange((r) => {
  // Keep the range in the URL (shareable), then reload the current page.
  const [path, qs = ''] = location.hash.replace(/^#/, '').split('?');
  if (parseHash().name !== 'overview') {
    const params = new URLSearchParams(qs);
    rangeToParams(r, params);
    history.replaceState(null, '', `#${path || '/'}?${params}`);
  }
  page?.refresh();
});

// Theme: explicit choice in localStorage, else the system preference.
const themeBtn = document.getElementById('theme');
function applyTheme(t) {
  document.documentElement.dataset.theme = t;
  themeBtn.textContent = t === 'dark' ? '☀' : '☾';
  themeBtn.title = t === 'dark' ? 'Switch to the light theme' : 'Switch to the dark theme';
  rebuildCharts();
}
themeBtn.addEventListener('click', () => {
  const t = document.documentElement.dataset.theme === 'dark' ? 'light' : 'dark';
  try { localStorage.setItem('dashboard.theme', t); } catch { /* private mode */ }
  applyTheme(t);
});
matchMedia('(prefers-color-scheme: dark)').addEventListener('change', (e) => {
  let saved = null;
  try { saved = localStorage.getItem('dashboard.theme'); } catch { /* private mode */ }
  if (!saved) applyTheme(e.matches ? 'dark' : 'light');
});
applyTheme(document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light');

// Auto-refresh: on by default, remembered; paused while the tab is hidden.
const auto = document.getElementById('autorefresh');
let autoSaved = null;
try { autoSaved = localStorage.getItem('dashboard.autorefresh'); } catch { /* private mode */ }
auto.checked = autoSaved !== 'off';
function schedule() {
  clearInterval(timer);
  timer = null;
  if (auto.checked) timer = setInterval(() => { if (!document.hidden) { page?.refresh(); updateBadge(); } }, REFRESH_MS);
}
auto.addEventListener('change', () => {
  try { localStorage.setItem('dashboard.autorefresh', auto.checked ? 'on' : 'off'); } catch { /* private mode */ }
  schedule();
});
schedule();

initRangePicker(rangeEl);
window.addEventListener('hashchange', route);
route();
updateBadge();
