// The cardinality page (issue 18: /api/v1/status/tsdb on the dashboard): the
// real monitoring-server holding three synthetic hosts of different sizes;
// Debian's chromium through playwright-core must show the same top entries
// the API reports, and a metric name must lead to the query page.
//
// Env: MS_SERVER_BIN, MS_WEB_DIST (as dashboard.test.mjs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { NodeHost, SOURCE_DIR, WEB_DIR, launchChromium, startServer } from './lib/stack.mjs';

const SERVER_BIN = process.env.MS_SERVER_BIN || path.join(SOURCE_DIR, 'build/server/monitoring-server');
const DIST = process.env.MS_WEB_DIST || path.join(WEB_DIR, 'dist');
const WAIT = 15000;

describe('cardinality in chromium', { timeout: 120000 }, () => {
  let server;
  let browser;

  before(async () => {
    server = await startServer({ binary: SERVER_BIN, webDir: DIST });
    const now = Date.now();
    for (const [instance, cpus] of [['db-1:9100', 8], ['web-1:9100', 2], ['web-2:9100', 1]]) {
      const host = new NodeHost({ instance, cpus });
      const r = await fetch(`${server.url}/api/v1/import/prometheus`, {
        method: 'POST', body: host.text(now - 60000, now), headers: { 'Content-Type': 'text/plain' },
      });
      assert.ok(r.ok, `import: HTTP ${r.status}`);
    }
    browser = await launchChromium();
  });

  after(async () => {
    await browser?.close();
    await server?.stop();
  });

  test('BrowserCardinality: the page lists what /api/v1/status/tsdb counts', async () => {
    const api = (await (await fetch(`${server.url}/api/v1/status/tsdb?limit=20`)).json()).data;
    // node_cpu_seconds_total: (8 + 2 + 1) cpus x 4 modes, the most of any name.
    assert.deepEqual(api.seriesCountByMetricName[0], { name: 'node_cpu_seconds_total', value: 44 });
    assert.equal(api.seriesCountByLabelValuePair[0].name, 'job=node');
    assert.equal(api.seriesCountByLabelValuePair[0].value, api.headStats.numSeries);

    const page = await browser.context.newPage();
    page.setDefaultTimeout(WAIT);
    const errors = [];
    page.on('pageerror', (e) => errors.push(e.message));
    await page.goto(`${server.url}/dashboard/#/cardinality`);
    await page.waitForSelector('#card-names[data-ready="true"]');
    const names = await page.locator('#card-names tbody tr').evaluateAll((rows) =>
      rows.map((r) => [r.dataset.name, r.querySelector('td.num').firstChild.textContent.trim()]));
    assert.deepEqual(names, api.seriesCountByMetricName.map((e) => [e.name, e.value.toLocaleString('en-US')]));
    const pairs = await page.locator('#card-pairs tbody tr').evaluateAll((rows) => rows.map((r) => r.dataset.name));
    assert.deepEqual(pairs, api.seriesCountByLabelValuePair.map((e) => e.name));
    assert.match(await page.locator('#card-summary').innerText(), new RegExp(`^${api.headStats.numSeries} series`));

    await page.locator('#card-names tr[data-name="node_cpu_seconds_total"] a').click();
    await page.waitForFunction(() => location.hash.startsWith('#/query'));
    assert.match(decodeURIComponent(await page.evaluate(() => location.hash)),
      /count by \(instance\) \(\{__name__="node_cpu_seconds_total"\}\)/);
    assert.deepEqual(errors, []);
    await page.close();
  });
});
