#!/usr/bin/env node
// Summarises a V8 .cpuprofile (node --cpu-prof): self time per function, largest first.
//   node bench/tools/profile-summary.mjs PROFILE.cpuprofile [TOP]
import { readFileSync } from 'node:fs';

const [path, topArg] = process.argv.slice(2);
if (!path) {
  process.stderr.write('usage: profile-summary.mjs PROFILE.cpuprofile [TOP]\n');
  process.exit(2);
}
const profile = JSON.parse(readFileSync(path, 'utf8'));
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const dt = new Map();
// timeDeltas[i] is the time before samples[i]; attribute it to that sample's node.
profile.samples.forEach((id, i) => dt.set(id, (dt.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const self = new Map();
let total = 0;
for (const [id, us] of dt) {
  const { callFrame: f } = byId.get(id);
  const where = f.url ? `${f.url.replace(/^.*\/(node_modules\/|src\/|models\/|properties\/)/, '$1')}:${f.lineNumber + 1}` : '';
  const key = `${f.functionName || '(anonymous)'} ${where}`;
  self.set(key, (self.get(key) ?? 0) + us);
  total += us;
}
const top = Number(topArg ?? 30);
process.stdout.write(`total ${(total / 1000).toFixed(0)} ms sampled\n`);
for (const [key, us] of [...self].sort((a, b) => b[1] - a[1]).slice(0, top)) {
  process.stdout.write(`${((100 * us) / total).toFixed(1).padStart(5)}%  ${(us / 1000).toFixed(0).padStart(6)} ms  ${key}\n`);
}
