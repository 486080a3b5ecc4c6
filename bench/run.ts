/**
 * `npm run bench`: runs every section in bench/sections/ in file-name order and writes
 * bench/results.md and bench/results.json (atomically) with the machine and the date.
 *
 * A section default-exports `{ title, run(): Promise<{ markdown, json }> }`. Ratios are
 * measured within one section run, so they compare like with like on the same machine state.
 *
 *   npm run bench                 every section, results written
 *   npm run bench -- node mutant  only sections whose file name contains a word; printed, not written
 *   npm run bench -- --skip=mutant,bugs   every section but these, written; results.md names the
 *                                 skipped ones (the long sections take tens of minutes on 2 cores)
 */
import { readdirSync } from 'node:fs';
import { cpus, loadavg, totalmem, platform, arch } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { writeFileAtomic } from '../src/trace/file.js';
import { loadNote, ms } from './measure.js';

export interface SectionResult {
  readonly markdown: string;
  readonly json: unknown;
}

export interface Section {
  readonly title: string;
  run(): Promise<SectionResult>;
}

const here = dirname(fileURLToPath(import.meta.url));
const skips = process.argv.slice(2).filter((a) => a.startsWith('--skip=')).flatMap((a) => a.slice('--skip='.length).split(',').filter(Boolean));
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--skip='));
const sectionFiles = readdirSync(join(here, 'sections'))
  .filter((f) => /\.(ts|js|mjs)$/.test(f) && !f.endsWith('.test.ts'))
  .sort();
const skipped = sectionFiles.filter((f) => skips.some((w) => f.includes(w)));
const files = sectionFiles
  .filter((f) => !skipped.includes(f))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)));
if (files.length === 0) {
  process.stderr.write(`no bench section matches ${filters.join(', ')} (sections: ${readdirSync(join(here, 'sections')).join(', ')})\n`);
  process.exit(2);
}

const cores = cpus().length;
const machine = {
  cpu: cpus()[0]?.model ?? 'unknown',
  cores,
  memoryGiB: Math.round(totalmem() / 2 ** 30),
  node: process.version,
  platform: `${platform()} ${arch()}`,
  loadBefore: loadavg(),
};
const date = new Date().toISOString();

const results: { file: string; title: string; elapsedMs: number; markdown: string; json: unknown }[] = [];
for (const file of files) {
  const section = (await import(pathToFileURL(join(here, 'sections', file)).href)).default as Section;
  process.stderr.write(`bench: ${section.title} (${file}) ...\n`);
  const started = performance.now(); // allow-clock: reports elapsed time only
  const result = await section.run();
  const elapsedMs = performance.now() - started; // allow-clock
  results.push({ file: basename(file), title: section.title, elapsedMs, ...result });
  process.stderr.write(`bench: ${section.title} done\n`);
}
const loadAfter = loadavg();

const markdown = [
  '# protokit benchmarks',
  '',
  `Written by \`npm run bench\` on ${date}.`,
  '',
  `Machine: ${machine.cpu}, ${cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform};`,
  `${loadNote(machine.loadBefore, cores)} before, ${loadAfter.map((l) => l.toFixed(2)).join(', ')} after.`,
  'Figures are medians of repeated measurements; ratios are measured in the same run, side by side.',
  '',
  ...results.flatMap((r) => [`## ${r.title}`, '', r.markdown.trim(), '']),
  ...(skipped.length > 0 ? ['## Not run this time', '', `Skipped with \`--skip\`: ${skipped.join(', ')} (run them with \`npm run bench -- NAME\`).`, ''] : []),
].join('\n');

if (filters.length > 0) {
  process.stdout.write(markdown + '\n');
} else {
  writeFileAtomic(join(here, 'results.md'), markdown);
  writeFileAtomic(
    join(here, 'results.json'),
    JSON.stringify({ date, machine: { ...machine, loadAfter }, sections: results.map(({ markdown: _m, ...r }) => r) }, null, 2) + '\n',
  );
  process.stderr.write(`bench: wrote bench/results.md and bench/results.json (${results.map((r) => `${r.file} ${ms(r.elapsedMs)}`).join(', ')})\n`);
}
