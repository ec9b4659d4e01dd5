// Browser tests of the built-in dashboard: the real monitoring-server (with
// history for several scraped hosts, one stale, one down, and one pushed host)
// and Debian's chromium driven by playwright-core.
//
// Env: MS_SERVER_BIN (monitoring-server binary), MS_WEB_DIST (dashboards/web/dist),
// MS_ARTIFACTS_DIR (screenshots; default <source>/build/test-artifacts).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import {
  NodeHost, SOURCE_DIR, WEB_DIR, importText, launchChromium, pushHost, startServer, waitFor,
} from './lib/stack.mjs';

const SERVER_BIN = process.env.MS_SERVER_BIN || path.join(SOURCE_DIR, 'build/server/monitoring-server');
const DIST = process.env.MS_WEB_DIST || path.join(WEB_DIR, 'dist');
const ARTIFACTS = process.env.MS_ARTIFACTS_DIR || path.join(SOURCE_DIR, 'build/test-artifacts');
const WAIT = 15000; // longest single wait for the page
const MIN = 60000;
const HOUR = 60 * MIN;

const LIVE = [
  new NodeHost({ instance: 'web-1:9100', busy: 0.2, memUsed: 0.45, diskUsed: 0.35 }),
  new NodeHost({ instance: 'web-2:9100', busy: 0.55, memUsed: 0.8, diskUsed: 0.5, cpus: 4 }),
  new NodeHost({ instance: 'db-1:9100', busy: 0.85, memUsed: 0.7, diskUsed: 0.88, temps: true }),
];
const STALE = new NodeHost({ instance: 'db-stale:9100', busy: 0.4 });
const DOWN = new NodeHost({ instance: 'cache-down:9100', busy: 0.3, temps: false });
const PUSHED = 'laptop-7';
const ALL = [...LIVE.map((h) => h.o.instance), STALE.o.instance, DOWN.o.instance, PUSHED];

let server;
let browser;
let feeder;
let lastFed = 0;

// A page that records console errors, page errors and API requests.
async function openPage({ theme = 'light', viewport } = {}) {
  const page = await browser.context.newPage();
  if (viewport) await page.setViewportSize(viewport);
  await page.emulateMedia({ colorScheme: theme });
  const errors = [];
  const requests = [];
  page.on('console', (m) => { if (m.type() === 'error') errors.push(`console: ${m.text()} @ ${m.location().url}`); });
  page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
  page.on('requestfailed', (r) => {
    if (!/net::ERR_ABORTED/.test(r.failure()?.errorText ?? '')) errors.push(`requestfailed: ${r.url()} ${r.failure()?.errorText}`);
  });
  page.on('request', (r) => requests.push(new URL(r.url())));
  page.setDefaultTimeout(WAIT);
  return { page, errors, requests };
}

const shot = (page, name) => page.screenshot({ path: path.join(ARTIFACTS, `${name}.png`), fullPage: true });

async function setTheme(page, theme) {
  const now = await page.evaluate(() => document.documentElement.dataset.theme);
  if (now !== theme) await page.click('#theme');
  await page.waitForFunction((t) => document.documentElement.dataset.theme === t, theme);
}

async function overviewRows(page) {
  await page.waitForSelector('#fleet[data-ready="true"]');
  return page.$$eval('#fleet tbody tr', (trs) => trs.map((tr) => ({
    instance: tr.dataset.instance,
    cls: tr.className,
    cells: [...tr.cells].map((td) => td.textContent.trim()),
    values: [...tr.cells].map((td) => (td.dataset.value === undefined ? null : Number(td.dataset.value))),
  })));
}

// Waits until every chart listed has points; returns window.__charts summaries.
async function waitForCharts(page, titles) {
  await page.waitForFunction((want) => {
    const charts = window.__charts || [];
    return want.every((t) => charts.some((c) => c.title === t && c.points > 0 && c.plot));
  }, titles);
  return page.evaluate(() => window.__charts.map((c) => ({ title: c.title, series: c.series, points: c.points, xs: c.xs })));
}

describe('dashboard in chromium', { timeout: 120000 }, () => {
  before(async () => {
    mkdirSync(ARTIFACTS, { recursive: true });
    server = await startServer({ binary: SERVER_BIN, webDir: DIST });
    const now = Date.now();
    const from = now - 2 * HOUR;
    await Promise.all([
      ...LIVE.map((h) => importText(server, h.text(from, now))),
      importText(server, STALE.text(from, now - 30 * MIN)),
      importText(server, DOWN.text(from, now - 20 * MIN) + DOWN.downText(now - 20 * MIN + 15000, now)),
      pushHost(server, PUSHED, from, now, MIN),
    ]);
    lastFed = now;
    // Keep the live hosts live while the test runs (as a scraper would).
    feeder = setInterval(() => {
      const t = Date.now();
      const text = LIVE.map((h) => h.text(t, t)).join('') + DOWN.downText(t, t);
      lastFed = t;
      importText(server, text).catch(() => {});
    }, 5000);
    browser = await launchChromium();
  });

  after(async () => {
    clearInterval(feeder);
    await browser?.close();
    await server?.stop();
  });

  test('BrowserOverview: lists every host with numbers, marks stale and down hosts, sorts', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/dashboard/`);
    const rows = await overviewRows(page);
    assert.deepEqual(rows.map((r) => r.instance).sort(), [...ALL].sort(), 'hosts listed');
    const byName = Object.fromEntries(rows.map((r) => [r.instance, r]));
    // Columns: host, status, cpu, mem, disk, load, rx, tx, last seen.
    for (const name of [...LIVE.map((h) => h.o.instance), PUSHED]) {
      const r = byName[name];
      assert.equal(r.cells[1], 'up', `${name} is up`);
      for (const col of [2, 3, 4, 5, 6, 7]) {
        assert.ok(Number.isFinite(r.values[col]), `${name} column ${col} has a number: ${r.cells.join(' | ')}`);
      }
      assert.match(r.cells[8], /s ago$/, `${name} last seen`);
    }
    // CPU% and disk% follow what was loaded (busy 0.85 vs 0.2; disk 88% on db-1).
    assert.ok(byName['db-1:9100'].values[2] > byName['web-1:9100'].values[2], 'db-1 busier than web-1');
    assert.ok(Math.abs(byName['db-1:9100'].values[4] - 88) < 2, `db-1 root disk ~88%: ${byName['db-1:9100'].values[4]}`);
    assert.ok(Math.abs(byName[PUSHED].values[4] - 60) < 1, `pushed root disk 60%: ${byName[PUSHED].values[4]}`);
    // Stale: silent for 30 minutes; down: up == 0.
    assert.equal(byName['db-stale:9100'].cells[1], 'stale');
    assert.match(byName['db-stale:9100'].cls, /row-stale/);
    assert.match(byName['db-stale:9100'].cells[8], /^3\dm ago$/, `stale last seen: ${byName['db-stale:9100'].cells[8]}`);
    assert.equal(byName['cache-down:9100'].cells[1], 'down');
    assert.match(await page.textContent('#fleet-summary'), /6 hosts · 4 up · 1 stale · 1 down/);
    await shot(page, 'overview-light');
    await setTheme(page, 'dark');
    await shot(page, 'overview-dark');

    // Sorting: CPU ascending, then descending (missing values last either way).
    const cpuOrder = async () => (await overviewRows(page)).filter((r) => Number.isFinite(r.values[2])).map((r) => r.values[2]);
    await page.click('th[data-key="cpu"]');
    const asc = await cpuOrder();
    assert.deepEqual(asc, [...asc].sort((a, b) => a - b));
    await page.click('th[data-key="cpu"]');
    const desc = await cpuOrder();
    assert.deepEqual(desc, [...desc].sort((a, b) => b - a));
    assert.equal(await page.getAttribute('th[data-key="cpu"]', 'aria-sort'), 'descending');
    await page.click('th[data-key="instance"]');
    const names = (await overviewRows(page)).map((r) => r.instance);
    assert.deepEqual(names, [...names].sort((a, b) => a.localeCompare(b, undefined, { numeric: true })));

    // The host link leads to the host view.
    await page.click('a[href="#/host/web-1%3A9100"]');
    await waitForCharts(page, ['CPU by mode']);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('BrowserHostView: charts of a scraped host have data points', async () => {
    const { page, errors } = await openPage();
    await page.goto(`${server.url}/dashboard/#/host/${encodeURIComponent('db-1:9100')}`);
    const charts = await waitForCharts(page, ['CPU by mode', 'Memory', 'Load average', 'Disk space used per mountpoint',
      'Disk I/O', 'Network throughput per interface', 'Temperatures']);
    const get = (t) => charts.find((c) => c.title === t);
    assert.deepEqual(get('CPU by mode').series, ['iowait', 'system', 'user']);
    assert.deepEqual(get('Memory').series, ['used', 'cached + buffers', 'available']);
    assert.deepEqual(get('Disk space used per mountpoint').series, ['/', '/data']);
    assert.deepEqual(get('Network throughput per interface').series, ['eth0 in', 'eth0 out'], 'lo is left out');
    assert.deepEqual(get('Temperatures').series, ['platform_coretemp_0 temp1', 'platform_coretemp_0 temp2']);
    // 1h at a 15 s step, about 240 points per series: most of the grid is filled.
    assert.ok(get('Load average').points >= 3 * 200, `load points: ${get('Load average').points}`);
    // Each chart really drew: a canvas of non-zero size.
    const canvases = await page.$$eval('.chart canvas', (cs) => cs.filter((c) => c.width > 100 && c.height > 50).length);
    assert.ok(canvases >= 7, `canvases: ${canvases}`);
    await page.waitForSelector('#app[data-loaded]');
    assert.match(await page.textContent('#host-info'), /^Linux 6\.1\.0-18-amd64 x86_64 · 2 CPUs · 16 GiB memory · up \d+d \d+h · last sample /);
    // The theme choice persists in the shared context's storage: set it explicitly.
    await setTheme(page, 'light');
    await waitForCharts(page, ['CPU by mode']);
    await shot(page, 'host-light');
    await setTheme(page, 'dark');
    await waitForCharts(page, ['CPU by mode']);
    await shot(page, 'host-dark');

    // A pushed host answers the same panels (CPU as one "busy" series).
    await page.goto(`${server.url}/dashboard/`);
    await page.goto(`${server.url}/dashboard/#/host/${PUSHED}`);
    await page.waitForFunction(() => (window.__charts || []).length === 7 && document.querySelector('#app[data-loaded]'));
    const pushed = await waitForCharts(page, ['CPU by mode', 'Memory', 'Load average', 'Disk space used per mountpoint',
      'Disk I/O', 'Network throughput per interface']);
    assert.deepEqual(pushed.find((c) => c.title === 'CPU by mode').series, ['busy']);
    assert.deepEqual(pushed.find((c) => c.title === 'Network throughput per interface').series, ['wlan0 in', 'wlan0 out']);
    assert.equal(await page.isHidden('[data-panel="temperature"]'), true, 'no temperature panel without sensors');
    await shot(page, 'host-pushed-dark');

    // A path route (/dashboard/host/<instance>) lands on the same view.
    await page.goto(`${server.url}/dashboard/host/web-2:9100`);
    await page.waitForFunction(() => location.hash === '#/host/web-2:9100');
    await waitForCharts(page, ['CPU by mode']);
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('BrowserRangePicker: presets, custom range and drag-to-zoom change start/end/step', async () => {
    const { page, errors, requests } = await openPage();
    await page.goto(`${server.url}/dashboard/#/host/web-1:9100`);
    await waitForCharts(page, ['CPU by mode']);
    const ranges = () => requests.filter((u) => u.pathname.endsWith('/api/v1/query_range')).map((u) => ({
      start: Number(u.searchParams.get('start')), end: Number(u.searchParams.get('end')), step: Number(u.searchParams.get('step')),
    }));
    const initial = ranges();
    assert.ok(initial.length >= 7 && initial.every((r) => r.end - r.start === 3600 && r.step === 15), JSON.stringify(initial[0]));

    const expectRange = async (span, step, what) => {
      await waitFor(() => ranges().some((r) => Math.abs(r.end - r.start - span) < 1 && r.step === step), WAIT, what);
    };
    requests.length = 0;
    await page.click('[data-range="6h"]');
    await expectRange(6 * 3600, 120, '6h query');
    assert.match(page.url(), /range=6h/);
    requests.length = 0;
    await page.click('[data-range="7d"]');
    await expectRange(7 * 86400, 3600, '7d query');
    await waitForCharts(page, ['CPU by mode']);
    // A year: 2-day steps on a day boundary (read from the hourly tier). The
    // hosts have two hours of history, so only rates (4-day windows) reach
    // it from the 2-day grid; instant values (CPU's core count) need a step
    // within 5 minutes of a sample, raw or tiered.
    requests.length = 0;
    await page.click('[data-range="1y"]');
    await expectRange(365 * 86400, 172800, '1y query');
    assert.ok(ranges().every((r) => r.start % 86400 === 0), JSON.stringify(ranges()[0]));
    await waitForCharts(page, ['Network throughput per interface']);

    // Custom range: the last 2 hours up to 30 minutes ago.
    requests.length = 0;
    await page.click('#range-custom-toggle');
    const local = (ms) => { const d = new Date(ms); return new Date(d - d.getTimezoneOffset() * 60000).toISOString().slice(0, 16); };
    const to = Math.floor((Date.now() - 30 * MIN) / MIN) * MIN;
    await page.fill('#range-from', local(to - 2 * HOUR));
    await page.fill('#range-to', local(to));
    await page.click('#range-custom button[type="submit"]');
    await waitFor(() => ranges().some((r) => r.start === (to - 2 * HOUR) / 1000 && r.end === to / 1000 && r.step === 30), WAIT, 'custom range query');
    await waitForCharts(page, ['CPU by mode']);

    // Drag across the middle half of the first chart: a narrower absolute range.
    requests.length = 0;
    const box = await page.locator('[data-panel="cpu"] .u-over').boundingBox();
    await page.mouse.move(box.x + box.width * 0.25, box.y + box.height / 2);
    await page.mouse.down();
    await page.mouse.move(box.x + box.width * 0.5, box.y + box.height / 2, { steps: 5 });
    await page.mouse.move(box.x + box.width * 0.75, box.y + box.height / 2, { steps: 5 });
    await page.mouse.up();
    await waitFor(() => ranges().some((r) => r.end - r.start > 2400 && r.end - r.start < 4800
      && r.start > (to - 2 * HOUR) / 1000 && r.end < to / 1000), WAIT, 'zoomed query');
    assert.match(page.url(), /from=\d+&to=\d+/);
    await waitForCharts(page, ['CPU by mode']);
    assert.equal(await page.getAttribute('[data-range="custom"]', 'aria-pressed'), 'true');
    await shot(page, 'host-zoomed-light');
    assert.deepEqual(errors, []);
    await page.close();
  });

  test('BrowserQueryPage: chart and table for a query, the API error verbatim for a bad one', async () => {
    const { page, errors } = await openPage({ theme: 'dark' });
    await page.goto(`${server.url}/dashboard/#/query`);
    await page.fill('#promql', 'sum by (instance) (rate(node_network_receive_bytes_total{device="eth0"}[5m]))');
    await page.click('#query-form button[type="submit"]');
    await page.waitForSelector('#app[data-state="ok"]');
    const charts = await waitForCharts(page, ['Result']);
    assert.equal(charts[0].series.length, 5, charts[0].series.join(", ")); // 3 live + the stale and down hosts history
    const rows = await page.$$eval('#query-table tbody tr', (trs) => trs.map((tr) => tr.cells[0].textContent));
    assert.equal(rows.length, 5);
    assert.ok(rows.includes('{instance="web-1:9100"}'), rows.join(' '));
    assert.match(page.url(), /q=sum/);
    await shot(page, 'query-dark');
    await setTheme(page, 'light');
    await waitForCharts(page, ['Result']);
    await shot(page, 'query-light');

    // An invalid query: the page shows errorType and error as the API sent them.
    const bad = 'sum(rate(node_cpu_seconds_total[5m])';
    const api = await (await fetch(`${server.url}/api/v1/query_range?${new URLSearchParams({ query: bad, start: 0, end: 60, step: 15 })}`)).json();
    assert.equal(api.status, 'error');
    await page.fill('#promql', bad);
    await page.press('#promql', 'Control+Enter');
    await page.waitForSelector('#app[data-state="error"]');
    assert.equal((await page.textContent('#query-error')).trim(), `${api.errorType}: ${api.error}`);
    assert.equal(await page.isHidden('#query-table-wrap'), true);
    await shot(page, 'query-error-light');
    // The only console noise allowed: chromium's own line about the 400 answer.
    const unexpected = errors.filter((e) => !/status of 400 \(Bad Request\) @ .*\/api\/v1\/query_range/.test(e));
    assert.deepEqual(unexpected, []);
    await page.close();
  });

  test('BrowserPhone: overview and host view fit a phone screen', async () => {
    const { page, errors } = await openPage({ theme: 'dark', viewport: { width: 390, height: 844 } });
    await page.goto(`${server.url}/dashboard/`);
    await overviewRows(page);
    await setTheme(page, 'dark');
    await shot(page, 'phone-overview-dark');
    await page.goto(`${server.url}/dashboard/#/host/web-2:9100`);
    await waitForCharts(page, ['CPU by mode', 'Network throughput per interface']);
    const fit = await page.evaluate(() => ({
      doc: document.documentElement.scrollWidth,
      win: window.innerWidth,
      widest: Math.max(...window.__charts.map((c) => c.element.getBoundingClientRect().right)),
    }));
    assert.ok(fit.doc <= fit.win + 1, `no horizontal scrolling: ${JSON.stringify(fit)}`);
    assert.ok(fit.widest <= fit.win, `charts inside the screen: ${JSON.stringify(fit)}`);
    await shot(page, 'phone-host-dark');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
