// Fails when the JavaScript the search page loads first (the entry chunk, the search route's
// chunk and everything they import statically) is over the budget, gzipped. Reads Vite's
// manifest (build.manifest in vite.config.ts): run after `npm run build`.
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';

const BUDGET = 200 * 1024;
const dist = fileURLToPath(new URL('../dist/', import.meta.url));
const manifest = JSON.parse(readFileSync(`${dist}.vite/manifest.json`, 'utf8'));

const seen = new Set();
function collect(key) {
  if (seen.has(key)) return;
  seen.add(key);
  for (const dep of manifest[key]?.imports ?? []) collect(dep);
}
const entry = Object.keys(manifest).find((k) => manifest[k].isEntry);
const search = Object.keys(manifest).find((k) => k.endsWith('src/pages/Search.tsx'));
if (!entry || !search) throw new Error('size: entry or Search chunk missing from the manifest');
collect(entry);
collect(search);

let total = 0;
const rows = [];
for (const key of seen) {
  const file = manifest[key].file;
  if (!file.endsWith('.js')) continue;
  const gz = gzipSync(readFileSync(dist + file), { level: 9 }).length;
  total += gz;
  rows.push(`  ${(gz / 1024).toFixed(1).padStart(7)} KB  ${file}`);
}
console.log(`Search page, initial JS (gzip):\n${rows.join('\n')}\n  ${(total / 1024).toFixed(1).padStart(7)} KB  total (budget ${BUDGET / 1024} KB)`);
if (total > BUDGET) {
  console.error('size: over budget');
  process.exit(1);
}
