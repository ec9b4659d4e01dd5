// The built-in dashboard behind basic auth (--web.config.file, issue 15):
// the real monitoring-server with a web config file, Debian's chromium
// through playwright-core, once without credentials (refused) and once with
// them (the dashboard and every API call it makes work).
//
// Env: MS_SERVER_BIN, MS_WEB_DIST (as dashboard.test.mjs).
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { NodeHost, SOURCE_DIR, WEB_DIR, launchChromium, startServer } from './lib/stack.mjs';

const SERVER_BIN = process.env.MS_SERVER_BIN || path.join(SOURCE_DIR, 'build/server/monitoring-server');
const DIST = process.env.MS_WEB_DIST || path.join(WEB_DIR, 'dist');
const USER = 'viewer';
const PASSWORD = 'dash board pw';
const HOST = new NodeHost({ instance: 'auth-host:9100', busy: 0.3 });

// A bcrypt hash made with libcrypt (through Python's crypt module).
function bcrypt(password) {
  return execFileSync('python3', ['-W', 'ignore', '-c',
    'import crypt,sys; print(crypt.crypt(sys.argv[1], crypt.mksalt(crypt.METHOD_BLOWFISH, rounds=16)))',
    password]).toString().trim();
}

describe('dashboard behind basic auth', () => {
  let dir;
  let server;
  const auth = 'Basic ' + Buffer.from(`${USER}:${PASSWORD}`).toString('base64');

  before(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'dash-auth-'));
    const webConfig = path.join(dir, 'web.yml');
    writeFileSync(webConfig, `basic_auth_users:\n  ${USER}: ${bcrypt(PASSWORD)}\n`);
    // Health checks stay open so that startServer can wait for it.
    server = await startServer({ binary: SERVER_BIN, webDir: DIST,
      extraArgs: ['--web.config.file', webConfig, '--web.health-without-auth'] });
    const now = Date.now();
    const r = await fetch(`${server.url}/api/v1/import/prometheus`, {
      method: 'POST', body: HOST.text(now - 10 * 60000, now), headers: { Authorization: auth, 'Content-Type': 'text/plain' },
    });
    assert.ok(r.ok, `import with credentials: HTTP ${r.status}`);
    const refused = await fetch(`${server.url}/api/v1/query?query=up`);
    assert.equal(refused.status, 401, 'the API without credentials');
    assert.match(refused.headers.get('www-authenticate') ?? '', /^Basic/);
  });

  after(async () => {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  });

  test('BrowserAuthRefused: without credentials the dashboard is not served', async () => {
    const browser = await launchChromium();
    try {
      const page = await browser.context.newPage();
      // Chromium answers the server's 401 challenge by asking for
      // credentials; headless, with none to give, it abandons the page.
      let status = null;
      let error = '';
      try {
        status = (await page.goto(`${server.url}/dashboard/`)).status();
      } catch (e) {
        error = e.message;
      }
      assert.ok(status === 401 || /ERR_INVALID_AUTH_CREDENTIALS/.test(error), `status ${status}, error ${error}`);
    } finally {
      await browser.close();
    }
  });

  test('BrowserAuthDashboard: with credentials the dashboard and its API calls work', async () => {
    const browser = await launchChromium({ httpCredentials: { username: USER, password: PASSWORD } });
    try {
      const page = await browser.context.newPage();
      const failed = [];
      page.on('response', (r) => { if (r.status() === 401 || r.status() === 403) failed.push(`${r.status()} ${r.url()}`); });
      const resp = await page.goto(`${server.url}/dashboard/`);
      assert.equal(resp.status(), 200);
      await page.waitForSelector('#fleet[data-ready="true"]', { timeout: 15000 });
      const hosts = await page.$$eval('#fleet tbody tr', (trs) => trs.map((tr) => tr.dataset.instance));
      assert.deepEqual(hosts, [HOST.o.instance]);
      assert.deepEqual(failed, [], 'no request of the page was refused');
    } finally {
      await browser.close();
    }
  });
});
