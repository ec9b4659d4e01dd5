// The alerts page and the fleet's alert badges (issue 16): the real
// monitoring-server evaluating a rule file (one alert firing at once, one
// pending for an hour, both on a host the fleet lists), with the built-in
// notifier configured so that silences exist; Debian's chromium through
// playwright-core silences the firing alert from the page and expires the
// silence again.
//
// Env: MS_SERVER_BIN, MS_WEB_DIST (as dashboard.test.mjs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NodeHost, SOURCE_DIR, WEB_DIR, launchChromium, startServer, waitFor } from './lib/stack.mjs';

const SERVER_BIN = process.env.MS_SERVER_BIN || path.join(SOURCE_DIR, 'build/server/monitoring-server');
const DIST = process.env.MS_WEB_DIST || path.join(WEB_DIR, 'dist');
const HOST = new NodeHost({ instance: 'web-1:9100', busy: 0.3 });
const WAIT = 15000;

describe('alerts in chromium', { timeout: 120000 }, () => {
  let dir;
  let server;
  let browser;

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dash-alerts-'));
    writeFileSync(path.join(dir, 'rules.yml'), `groups:
  - name: browser
    interval: 1s
    rules:
      - alert: DiskFull
        expr: vector(1)
        labels: {instance: 'web-1:9100', severity: critical}
        annotations: {summary: 'disk at {{ $value | humanizePercentage }}'}
      - alert: SlowBurn
        expr: vector(1)
        for: 1h
        labels: {instance: 'web-1:9100'}
`);
    writeFileSync(path.join(dir, 'config.yml'), `global:
  evaluation_interval: 1s
rule_files: [rules.yml]
notifications:
  route: {receiver: nobody}
  receivers:
    - name: nobody
`);
    server = await startServer({ binary: SERVER_BIN, webDir: DIST,
      extraArgs: ['--config', path.join(dir, 'config.yml')] });
    const now = Date.now();
    const r = await fetch(`${server.url}/api/v1/import/prometheus`, {
      method: 'POST', body: HOST.text(now - 10 * 60000, now), headers: { 'Content-Type': 'text/plain' },
    });
    assert.ok(r.ok, `import: HTTP ${r.status}`);
    await waitFor(async () => {
      const a = await (await fetch(`${server.url}/api/v1/alerts`)).json();
      return a.data.alerts.length === 2;
    }, 20000, 'both alerts active');
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('BrowserAlertBadges: the fleet row and the header count the host\'s alerts', async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(WAIT);
    await page.goto(`${server.url}/dashboard/`);
    await page.waitForSelector('#fleet[data-ready="true"]');
    const cell = page.locator('tr[data-instance="web-1:9100"] td.alerts-cell');
    assert.equal(await cell.locator('.badge:not(.pending)').innerText(), '1');
    assert.equal(await cell.locator('.badge.pending').innerText(), '1');
    await page.waitForSelector('#alert-badge:not([hidden])');
    assert.equal(await page.locator('#alert-badge').innerText(), '1');
    await page.close();
  });

  test('BrowserAlertsPage: lists firing and pending alerts; silence and expire from the page', async () => {
    const page = await browser.context.newPage();
    page.setDefaultTimeout(WAIT);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/dashboard/#/alerts`);
    await page.waitForSelector('#alerts[data-ready="true"]');
    const firing = page.locator('tr[data-alertname="DiskFull"]');
    assert.equal(await firing.locator('.state').innerText(), 'firing');
    assert.match(await firing.locator('td.annotation').innerText(), /disk at 100%/);
    assert.equal(await page.locator('tr[data-alertname="SlowBurn"] .state').innerText(), 'pending');

    await firing.locator('button[data-silence]').click();
    await page.fill('#silence-by', 'browser-test');
    await page.fill('#silence-comment', 'maintenance');
    await page.click('#silence-form button[type="submit"]');
    await page.waitForFunction(() =>
      document.querySelector('tr[data-alertname="DiskFull"] .state')?.textContent === 'silenced');
    const silences = await (await fetch(`${server.url}/api/v2/silences`)).json();
    const active = silences.filter((s) => s.status.state === 'active');
    assert.equal(active.length, 1);
    assert.equal(active[0].createdBy, 'browser-test');
    assert.ok(active[0].matchers.some((m) => m.name === 'alertname' && m.value === 'DiskFull'));

    await page.locator(`tr[data-silence-id="${active[0].id}"] button[data-expire]`).click();
    await page.waitForFunction(() =>
      document.querySelector('tr[data-alertname="DiskFull"] .state')?.textContent === 'firing');
    assert.deepEqual(errors, []);
    await page.close();
  });
});
