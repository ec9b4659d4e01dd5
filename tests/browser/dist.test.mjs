// The dashboard build output: index.html whose assets exist, relative URLs
// only (works behind any host, port or path prefix), and nothing fetched from
// another host at run time (uPlot is bundled from node_modules).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, readdirSync } from 'node:fs';
import path from 'node:path';
import { WEB_DIR } from './lib/stack.mjs';

const DIST = process.env.MS_WEB_DIST || path.join(WEB_DIR, 'dist');

test('BrowserBuildOutput: index.html references bundled assets by relative URLs', () => {
  const html = readFileSync(path.join(DIST, 'index.html'), 'utf8');
  // The page writes its <link>/<script> tags from an inline script (see src/index.html).
  const refs = [...html.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1])
    .filter((r) => !r.startsWith('#') && !r.startsWith('data:') && !r.startsWith("' +"));
  assert.ok(refs.some((r) => /^assets\/main-[A-Z0-9]+\.js$/.test(r)), refs.join(' '));
  assert.ok(refs.some((r) => /^assets\/main-[A-Z0-9]+\.css$/.test(r)), refs.join(' '));
  for (const r of refs) {
    assert.ok(!/^(https?:)?\/\//.test(r) && !r.startsWith('/'), `relative URL: ${r}`);
    assert.ok(existsSync(path.join(DIST, r)), `${r} exists`);
  }
});

test('BrowserBuildOutput: no asset loads anything from another host; uPlot is bundled', () => {
  const assets = readdirSync(path.join(DIST, 'assets')).map((f) => path.join(DIST, 'assets', f));
  const text = assets.map((f) => readFileSync(f, 'utf8')).join('\n');
  // XML namespace names are identifiers, not fetches.
  const urls = [...text.matchAll(/https?:\/\/[^\s"'`)]+/g)].map((m) => m[0]).filter((u) => !u.startsWith('http://www.w3.org/'));
  const fetched = urls.filter((u) => !/github\.com\/leeoniya\/uPlot|opensource\.org|LICENSE/.test(u));
  assert.deepEqual(fetched, []);
  assert.match(text, /uplot/i, 'uPlot code is in the bundle');
  assert.match(text, /\.u-legend/, 'uPlot styles are in the bundle');
});
