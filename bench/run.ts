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
 *   npm run bench -- --update bugs mutate   only these sections, written into the committed results
 *                                 in place of their earlier figures (the others kept as they were)
 *
 * A section with `optIn: true` (a long one, e.g. 12-ten-million) runs only when a word names it;
 * a run without words keeps its committed figures as they were, with the date they were measured.
 *
 * Every section records when it ran and the machine's load around it, so a file that mixes
 * sections from two runs says which figures come from when.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
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
  /** Run only when named on the command line (too long for every run). */
  readonly optIn?: boolean;
  run(): Promise<SectionResult>;
}

const here = dirname(fileURLToPath(import.meta.url));
const skips = process.argv.slice(2).filter((a) => a.startsWith('--skip=')).flatMap((a) => a.slice('--skip='.length).split(',').filter(Boolean));
const update = process.argv.includes('--update');
const filters = process.argv.slice(2).filter((a) => !a.startsWith('--skip=') && a !== '--update');
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

interface Recorded {
  file: string;
  title: string;
  elapsedMs: number;
  markdown: string;
  json: unknown;
  /** When the section ran, and the 1-minute load average before and after it. */
  date?: string;
  load?: readonly [number, number];
}
const results: Recorded[] = [];
/** Opt-in sections left out of this run (no word named them): their committed figures are kept. */
const optInKept: string[] = [];
for (const file of files) {
  const section = (await import(pathToFileURL(join(here, 'sections', file)).href)).default as Section;
  if (section.optIn === true && filters.length === 0) {
    optInKept.push(file);
    continue;
  }
  process.stderr.write(`bench: ${section.title} (${file}) ...\n`);
  const started = performance.now(); // allow-clock: reports elapsed time only
  const sectionDate = new Date().toISOString();
  const loadBefore = loadavg()[0]!;
  // A failing section (a wrong count, a tool missing its output) is recorded as failed; the others still run and are written.
  const result = await section.run().catch((error: unknown) => {
    process.exitCode = 1;
    const message = error instanceof Error ? error.message : String(error);
    process.stderr.write(`bench: ${section.title} FAILED: ${message}\n`);
    return { markdown: `**Failed**: ${message.split('\n')[0]}`, json: { failed: message } };
  });
  const elapsedMs = performance.now() - started; // allow-clock
  results.push({ file: basename(file), title: section.title, elapsedMs, ...result, date: sectionDate, load: [loadBefore, loadavg()[0]!] });
  process.stderr.write(`bench: ${section.title} done\n`);
}
const loadAfter = loadavg();

/** The committed sections (all with --update, else only the opt-in ones left out), those run now in their place, in file-name order. */
function mergedWithCommitted(fresh: readonly Recorded[], keep: (file: string) => boolean = () => true): Recorded[] {
  const path = join(here, 'results.json');
  if (!existsSync(path)) return [...fresh];
  const old = JSON.parse(readFileSync(path, 'utf8')) as { date: string; sections: Recorded[] };
  // Results written before sections kept their markdown in results.json: take it from results.md.
  const md = existsSync(join(here, 'results.md')) ? readFileSync(join(here, 'results.md'), 'utf8') : '';
  const bodies = new Map(md.split(/^## /m).slice(1).map((part) => [part.slice(0, part.indexOf('\n')).trim(), part.slice(part.indexOf('\n') + 1)] as const));
  const kept = old.sections
    .filter((o) => !fresh.some((f) => f.file === o.file) && keep(o.file))
    .map((o) => ({ ...o, date: o.date ?? old.date, markdown: o.markdown ?? bodies.get(o.title)?.replace(/^_Measured [^\n]*\n\n/, '') ?? '' }));
  return [...kept, ...fresh].sort((a, b) => a.file.localeCompare(b.file));
}

const written = update ? mergedWithCommitted(results) : mergedWithCommitted(results, (file) => optInKept.includes(file));
const stamp = (r: Recorded) => `_Measured ${r.date ?? date}${r.load ? `; load average (1 min) ${r.load[0].toFixed(2)} before, ${r.load[1].toFixed(2)} after` : ''}._`;
const markdown = [
  '# protokit benchmarks',
  '',
  update ? `Written by \`npm run bench\`; sections updated on ${date} with \`--update\` (each section says when it ran).` : `Written by \`npm run bench\` on ${date}.`,
  '',
  `Machine: ${machine.cpu}, ${cores} cores, ${machine.memoryGiB} GiB, Node ${machine.node}, ${machine.platform};`,
  `${loadNote(machine.loadBefore, cores)} before, ${loadAfter.map((l) => l.toFixed(2)).join(', ')} after.`,
  'Figures are medians of repeated measurements; ratios are measured in the same run, side by side.',
  '',
  ...written.flatMap((r) => [`## ${r.title}`, '', stamp(r), '', r.markdown.trim(), '']),
  ...(!update && skipped.length > 0 ? ['## Not run this time', '', `Skipped with \`--skip\`: ${skipped.join(', ')} (run them with \`npm run bench -- NAME\`).`, ''] : []),
].join('\n');

if (filters.length > 0 && !update) {
  process.stdout.write(markdown + '\n');
} else {
  writeFileAtomic(join(here, 'results.md'), markdown);
  writeFileAtomic(
    join(here, 'results.json'),
    JSON.stringify({ date, machine: { ...machine, loadAfter }, sections: written }, null, 2) + '\n',
  );
  process.stderr.write(`bench: wrote bench/results.md and bench/results.json (${results.map((r) => `${r.file} ${ms(r.elapsedMs)}`).join(', ')})\n`);
}
