// Shared by the browser tests and the dashboard benchmark: start the real
// monitoring-server on a free loopback port with a temp data dir, load
// synthetic host data through its real ingest endpoints, and launch Debian's
// chromium through playwright-core. Every wait is bounded.
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { mkdtempSync, rmSync, openSync, closeSync, existsSync, readFileSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
export const SOURCE_DIR = path.resolve(here, '../../..');
export const WEB_DIR = path.join(SOURCE_DIR, 'dashboards/web');

// playwright-core is a devDependency of dashboards/web (one lockfile).
export function loadPlaywright() {
  const require = createRequire(path.join(WEB_DIR, 'package.json'));
  return require('playwright-core');
}

export const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  '--disable-background-networking', '--disable-component-update', '--disable-sync'];

export function chromiumPath() {
  return process.env.CHROMIUM || '/usr/bin/chromium';
}

// chromium with a fresh user-data dir (removed by close()).
// options: extra playwright context options (e.g. httpCredentials).
export async function launchChromium(options = {}) {
  const { chromium } = loadPlaywright();
  const userDataDir = mkdtempSync(path.join(os.tmpdir(), 'dash-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath(),
    headless: true,
    args: CHROMIUM_ARGS,
    viewport: { width: 1280, height: 900 },
    timeout: 30000,
    ...options,
  });
  return {
    context,
    async close() {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export async function waitFor(pred, timeoutMs, what, intervalMs = 50) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (await pred()) return;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await sleep(intervalMs);
  }
}

// Starts <binary> serving webDir; resolves once /healthz answers.
export async function startServer({ binary, webDir, extraArgs = [] }) {
  if (!existsSync(binary)) throw new Error(`monitoring-server not found at ${binary} (build it first)`);
  if (!existsSync(path.join(webDir, 'index.html'))) throw new Error(`no dashboard build in ${webDir} (run make web)`);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'dash-server-'));
  const port = await freePort();
  const logPath = path.join(dir, 'server.log');
  const log = openSync(logPath, 'a');
  const child = spawn(binary, ['--host', '127.0.0.1', '--port', String(port), '--data-dir', path.join(dir, 'data'),
    '--retention', '100y', '--web-dir', webDir, '--log.level', 'warn', ...extraArgs],
  { stdio: ['ignore', log, log] });
  closeSync(log);
  let exited = null;
  child.on('exit', (code, sig) => { exited = { code, sig }; });
  const url = `http://127.0.0.1:${port}`;
  const server = {
    url,
    port,
    dir,
    log: () => (existsSync(logPath) ? readFileSync(logPath, 'utf8') : ''),
    async stop() {
      if (!exited) {
        child.kill('SIGTERM');
        await waitFor(() => exited !== null, 10000, 'server exit').catch(() => child.kill('SIGKILL'));
        if (!exited) await waitFor(() => exited !== null, 5000, 'server exit after SIGKILL').catch(() => {});
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    await waitFor(async () => {
      if (exited) throw new Error(`monitoring-server exited (${JSON.stringify(exited)}):\n${server.log()}`);
      try {
        const r = await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(1000) });
        return r.ok;
      } catch { return false; }
    }, 20000, 'monitoring-server /healthz');
  } catch (e) {
    await server.stop();
    throw e;
  }
  return server;
}

async function post(url, body, contentType) {
  const r = await fetch(url, { method: 'POST', body, headers: { 'Content-Type': contentType }, signal: AbortSignal.timeout(60000) });
  const text = await r.text();
  if (!r.ok) throw new Error(`POST ${url}: HTTP ${r.status}: ${text}`);
  return text;
}

// ---- synthetic hosts -------------------------------------------------------

const MODES = ['user', 'system', 'iowait', 'idle'];
const GiB = 1024 ** 3;

function labelsText(labels) {
  return Object.entries(labels).map(([k, v]) => `${k}="${String(v).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`).join(',');
}

// One scraped (node_exporter) host whose samples come out as exposition text
// with ms timestamps; counters carry on across calls, so a test can keep the
// host live by importing fresh samples while it runs.
//   opts: {instance, job='node', busy (0..1), memUsed (0..1), diskUsed (0..1), cpus, temps}
export class NodeHost {
  constructor(opts) {
    this.o = { job: 'node', busy: 0.3, memUsed: 0.5, diskUsed: 0.4, cpus: 2, temps: true, ...opts };
    this.k = 0;
    this.cpuSec = {};
    this.rx = 1e9; this.tx = 5e8; this.rd = 2e9; this.wr = 3e9;
  }

  // node_* and up=1 samples every stepMs over [from, to] (ms).
  text(from, to, stepMs = 15000) {
    const { instance, job, busy, memUsed, diskUsed, cpus, temps } = this.o;
    const base = labelsText({ job, instance });
    const lines = [];
    const add = (name, extra, v, t) => {
      const l = extra ? `${base},${labelsText(extra)}` : base;
      lines.push(`${name}{${l}} ${v} ${t}`);
    };
    const memTotal = 16 * GiB;
    for (let t = from; t <= to; t += stepMs) {
      const k = this.k++;
      const wave = 0.5 + 0.5 * Math.sin(k / 20 + instance.length);
      const b = Math.min(0.98, busy * (0.7 + 0.6 * wave));
      const dt = stepMs / 1000;
      add('up', null, 1, t);
      for (let c = 0; c < cpus; c++) {
        const share = { user: b * 0.7, system: b * 0.25, iowait: b * 0.05, idle: 1 - b };
        for (const m of MODES) {
          const key = `${c}/${m}`;
          this.cpuSec[key] = (this.cpuSec[key] ?? 1000 * (m === 'idle' ? 10 : 1)) + share[m] * dt;
          add('node_cpu_seconds_total', { cpu: String(c), mode: m }, this.cpuSec[key].toFixed(3), t);
        }
      }
      const used = memTotal * Math.min(0.97, memUsed * (0.9 + 0.2 * wave));
      add('node_memory_MemTotal_bytes', null, memTotal, t);
      add('node_memory_MemAvailable_bytes', null, Math.round(memTotal - used), t);
      add('node_memory_MemFree_bytes', null, Math.round((memTotal - used) * 0.4), t);
      add('node_memory_Cached_bytes', null, Math.round((memTotal - used) * 0.5), t);
      add('node_memory_Buffers_bytes', null, Math.round(memTotal * 0.02), t);
      for (const [mp, dev, size, u] of [['/', '/dev/sda1', 100 * GiB, diskUsed], ['/data', '/dev/sdb1', 500 * GiB, diskUsed / 2]]) {
        const fl = { device: dev, fstype: 'ext4', mountpoint: mp };
        add('node_filesystem_size_bytes', fl, size, t);
        add('node_filesystem_avail_bytes', fl, Math.round(size * (1 - u - 0.00002 * (k % 1000))), t);
      }
      add('node_load1', null, (cpus * b * 1.1).toFixed(2), t);
      add('node_load5', null, (cpus * busy).toFixed(2), t);
      add('node_load15', null, (cpus * busy * 0.9).toFixed(2), t);
      this.rx += dt * 2e5 * (1 + wave); this.tx += dt * 8e4 * (1 + wave);
      this.rd += dt * 5e5 * wave; this.wr += dt * 1.2e6 * (1 - wave / 2);
      add('node_network_receive_bytes_total', { device: 'eth0' }, Math.round(this.rx), t);
      add('node_network_transmit_bytes_total', { device: 'eth0' }, Math.round(this.tx), t);
      add('node_network_receive_bytes_total', { device: 'lo' }, Math.round(this.rx / 3), t);
      add('node_network_transmit_bytes_total', { device: 'lo' }, Math.round(this.rx / 3), t);
      add('node_disk_read_bytes_total', { device: 'sda' }, Math.round(this.rd), t);
      add('node_disk_written_bytes_total', { device: 'sda' }, Math.round(this.wr), t);
      if (temps) {
        add('node_hwmon_temp_celsius', { chip: 'platform_coretemp_0', sensor: 'temp1' }, (45 + 20 * b).toFixed(1), t);
        add('node_hwmon_temp_celsius', { chip: 'platform_coretemp_0', sensor: 'temp2' }, (43 + 18 * b).toFixed(1), t);
      }
      add('node_uname_info', { nodename: instance.split(':')[0], sysname: 'Linux', release: '6.1.0-18-amd64', machine: 'x86_64' }, 1, t);
      add('node_boot_time_seconds', null, 1.7e9, t);
    }
    return lines.join('\n') + '\n';
  }

  // Only up=0 over [from, to]: what the scraper records for a host that is down.
  downText(from, to, stepMs = 15000) {
    const base = labelsText({ job: this.o.job, instance: this.o.instance });
    const lines = [];
    for (let t = from; t <= to; t += stepMs) lines.push(`up{${base}} 0 ${t}`);
    return lines.join('\n') + '\n';
  }
}

export async function importText(server, text) {
  return JSON.parse(await post(`${server.url}/api/v1/import/prometheus`, text, 'text/plain'));
}

// The exporter's /system JSON (exporter/system_snapshot.cc) as pushed by
// system-stats-forwarder, for one moment.
export function systemSnapshot(hostname, tMs, k, { busy = 0.25 } = {}) {
  const wave = 0.5 + 0.5 * Math.sin(k / 10);
  const memTotal = 8 * GiB;
  const avail = memTotal * (0.55 - 0.1 * wave);
  const pct = 100 * busy * (0.6 + 0.8 * wave);
  return {
    hostname,
    os: { name: 'Linux', kernel: '6.1.0-18-amd64', version: '#1 SMP Debian', machine: 'x86_64' },
    boot_time: Math.floor(tMs / 1000) - 7200 - 86400,
    uptime_seconds: 86400 + k * 60,
    timestamp: tMs / 1000,
    timestamp_ms: tMs,
    sample_window_seconds: 60,
    cpu: { count: 4, percent: pct, per_core_percent: [pct, pct * 0.8, pct * 1.1, pct * 0.6],
      load_avg: { '1m': 1.2 * wave + 0.2, '5m': 0.9, '15m': 0.7 } },
    memory: { total: memTotal, available: avail, free: avail * 0.5, used: memTotal - avail, cached: avail * 0.4,
      buffers: 200 * 1024 ** 2, percent: 100 * (1 - avail / memTotal) },
    swap: { total: 2 * GiB, free: 2 * GiB, used: 0, percent: 0 },
    disks: [{ mountpoint: '/', device: '/dev/nvme0n1p2', fstype: 'ext4', total: 250 * GiB, free: 100 * GiB,
      used: 150 * GiB, percent: 60, readonly: false }],
    disk_io: { nvme0n1: { read_bytes: 1e9 + k * 3e7, write_bytes: 2e9 + k * 5e7 } },
    network: {
      wlan0: { bytes_recv: 5e8 + k * 9e7 + 3e7 * wave, bytes_sent: 1e8 + k * 1e7, packets_recv: 1e6 + k * 1000,
        packets_sent: 5e5 + k * 500, errin: 0, errout: 0, dropin: 0, dropout: 0 },
    },
    temperatures: [],
  };
}

// Pushes one snapshot per `everyMs` over [from, to] to POST /metrics.
// The last snapshot is at `to`; counters grow with time, so later calls continue them.
export async function pushHost(server, hostname, from, to, everyMs = 60000) {
  for (let t = to - Math.floor((to - from) / everyMs) * everyMs; t <= to; t += everyMs) {
    const k = (t - 1.7e12) / 60000;
    await post(`${server.url}/metrics`, JSON.stringify(systemSnapshot(hostname, t, k)), 'application/json');
  }
}
