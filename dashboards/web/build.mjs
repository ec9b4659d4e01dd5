// Builds the dashboard into dist/: one bundled, minified ES module (our code +
// uPlot from node_modules) and one stylesheet, both with content hashes in
// their names (the server lets browsers cache /dashboard/assets/* forever),
// plus index.html pointing at them. No network is needed at build or run time.
import { build } from 'esbuild';
import { readFile, writeFile, rm, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.join(here, 'dist');
await rm(dist, { recursive: true, force: true });
await mkdir(path.join(dist, 'assets'), { recursive: true });

const result = await build({
  entryPoints: [path.join(here, 'src/main.js')],
  bundle: true,
  format: 'esm',
  target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
  minify: true,
  sourcemap: false,
  entryNames: '[name]-[hash]',
  assetNames: '[name]-[hash]',
  outdir: path.join(dist, 'assets'),
  metafile: true,
  legalComments: 'eof',
  logLevel: 'warning',
});

let js = '';
let css = '';
for (const out of Object.keys(result.metafile.outputs)) {
  const rel = path.relative(dist, path.resolve(out)).split(path.sep).join('/');
  if (rel.endsWith('.js')) js = rel;
  else if (rel.endsWith('.css')) css = rel;
}
if (!js || !css) throw new Error(`build produced no bundle (js=${js} css=${css})`);

const html = (await readFile(path.join(here, 'src/index.html'), 'utf8'))
  .replaceAll('%CSS%', css)
  .replaceAll('%JS%', js);
await writeFile(path.join(dist, 'index.html'), html);
const sizes = Object.entries(result.metafile.outputs).map(([f, o]) => `${path.basename(f)} ${(o.bytes / 1024).toFixed(1)} KiB`);
console.log(`dashboard built into ${path.relative(process.cwd(), dist) || '.'}: index.html, ${sizes.join(', ')}`);
