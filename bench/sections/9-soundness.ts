/**
 * No false alarm on a correct model (issue 22, point 2): every model's default `check` at seeds
 * 1–20 and every named configuration (soundness-plan.ts), each as the real command line in a
 * child process (two side by side), so the default is whatever `check` runs today. A violation
 * is a false alarm unless the suite declares it expected; a missed witness and an error count
 * too; inconclusive searches (exit 5) are listed with their reason. Minutes of CPU: a bench
 * section, not a test (npm test has the cheap regressions: properties/soundness.test.ts).
 *
 *   npm run bench -- --update 9-soundness
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ms, table } from '../measure.js';
import { declaredExpected, SEEDS, sweepJobs, type SweepJob } from '../soundness-plan.js';

const BIN = fileURLToPath(new URL('../../src/cli/bin.mjs', import.meta.url));
const SIDE_BY_SIDE = Number(process.env.PROTOKIT_SOUNDNESS_LANES ?? 2);
/**
 * PROTOKIT_SOUNDNESS_DEADLINE (an ISO date): no job starts after it; those left are listed as
 * not run, so a sweep on a crowded machine still reports what it did. Jobs run cheapest first.
 */
const DEADLINE = process.env.PROTOKIT_SOUNDNESS_DEADLINE ? Date.parse(process.env.PROTOKIT_SOUNDNESS_DEADLINE) : Infinity;
/**
 * PROTOKIT_SOUNDNESS_ONLY (a regular expression): only the jobs whose label matches, to finish a
 * sweep a deadline cut short (e.g. `check raft --seed (1\d|20)$`); the table then lists those.
 */
const ONLY = process.env.PROTOKIT_SOUNDNESS_ONLY ? new RegExp(process.env.PROTOKIT_SOUNDNESS_ONLY) : null;

type Outcome = 'ok' | 'expected' | 'false alarm' | 'witness missed' | 'inconclusive' | 'error' | 'not run (deadline)';

interface Answer {
  readonly job: SweepJob;
  readonly outcome: Outcome;
  readonly code: number | null;
  /** The property violated, the inconclusive reason, or the error line. */
  readonly detail: string;
  readonly size: string;
  readonly wallMs: number;
}

function runOne(job: SweepJob, out: string): Promise<Answer> {
  return new Promise((resolve) => {
    const started = performance.now(); // allow-clock: benchmark timing
    const child = spawn(process.execPath, [BIN, job.command, ...job.args, '--json', '--out', out], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => {
      const wallMs = performance.now() - started; // allow-clock
      let json: Record<string, any> | null = null;
      try {
        json = JSON.parse(stdout) as Record<string, any>;
      } catch {
        json = null;
      }
      resolve({ job, code, wallMs, ...classify(job, code, json, stderr) });
    });
  });
}

function classify(job: SweepJob, code: number | null, json: Record<string, any> | null, stderr: string): { outcome: Outcome; detail: string; size: string } {
  if (json === null) return { outcome: 'error', detail: `exit ${code}: ${stderr.trim().split('\n').pop() ?? ''}`, size: '' };
  const size = job.command === 'check' ? `${json.runs} runs` : `${json.distinctStates} states${json.complete ? '' : ' (incomplete)'}`;
  const v = json.violation as { property: string; kind: string; step: number } | null;
  if (code === 1 && v) {
    const what = `${v.property} (${v.kind}, step ${v.step})`;
    return { outcome: declaredExpected(job.model, v.property, json.preset ?? null) ? 'expected' : 'false alarm', detail: what, size };
  }
  if (code === 1) return { outcome: 'witness missed', detail: (json.witnesses as { name: string; reached: boolean }[]).filter((w) => !w.reached).map((w) => w.name).join(', '), size };
  if (code === 5) {
    const reasons = ((json.liveness?.properties ?? []) as { name: string; verdict: string; reason: string | null }[]).filter((p) => p.verdict === 'inconclusive').map((p) => `${p.name}: ${p.reason}`);
    return { outcome: 'inconclusive', detail: reasons.join('; '), size };
  }
  if (code === 0) return { outcome: 'ok', detail: '', size };
  return { outcome: 'error', detail: `exit ${code}: ${stderr.trim().split('\n').pop() ?? ''}`, size };
}

async function runAll(jobs: readonly SweepJob[], out: string): Promise<Answer[]> {
  const answers: Answer[] = new Array(jobs.length);
  let next = 0;
  const lane = async () => {
    while (next < jobs.length) {
      const k = next++;
      if (Date.now() > DEADLINE) {
        answers[k] = { job: jobs[k]!, outcome: 'not run (deadline)', code: null, detail: '', size: '', wallMs: 0 };
        continue;
      }
      answers[k] = await runOne(jobs[k]!, join(out, String(k)));
      process.stderr.write(`9-soundness: ${k + 1}/${jobs.length} ${answers[k]!.outcome} ${jobs[k]!.label} (${ms(answers[k]!.wallMs)})\n`);
    }
  };
  await Promise.all(Array.from({ length: SIDE_BY_SIDE }, lane));
  return answers;
}

/** Named configurations first, then the seeds of the models whose default check is cheapest (measured: raft's is the longest). */
const MODEL_COST = ['two-phase-commit', 'mapreduce', 'quorum-kv', 'paxos', 'raft'];
function byCost(jobs: readonly SweepJob[]): SweepJob[] {
  const rank = (j: SweepJob) => (j.seed === undefined ? -1 : MODEL_COST.indexOf(j.model) * 100 + j.seed);
  return [...jobs].sort((a, b) => rank(a) - rank(b));
}

export default {
  title: 'No false alarm on a correct model',
  async run() {
    const out = mkdtempSync(join(tmpdir(), 'protokit-soundness-'));
    const started = performance.now(); // allow-clock
    let answers: Answer[];
    try {
      answers = await runAll(byCost(sweepJobs().filter((j) => ONLY === null || ONLY.test(j.label))), out);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
    const wallMs = performance.now() - started; // allow-clock
    const seeded = answers.filter((a) => a.job.seed !== undefined);
    const named = answers.filter((a) => a.job.seed === undefined);
    const models = [...new Set(seeded.map((a) => a.job.model))];
    const seedRows = models.map((model) => {
      const mine = seeded.filter((a) => a.job.model === model);
      const bad = mine.filter((a) => a.outcome !== 'ok' && a.outcome !== 'expected' && a.outcome !== 'not run (deadline)');
      const notRun = mine.filter((a) => a.outcome === 'not run (deadline)').length;
      return [model, `${mine.filter((a) => a.outcome === 'ok').length}/${SEEDS.length}${notRun ? ` (${notRun} not run: deadline)` : ''}`, bad.map((a) => `seed ${a.job.seed}: ${a.outcome} ${a.detail}`).join('; ') || '—', ms(mine.reduce((n, a) => n + a.wallMs, 0))];
    });
    const namedRows = named.map((a) => [`\`${a.job.label}\``, a.outcome, a.detail || '—', a.size, ms(a.wallMs)]);
    const unexpected = answers.filter((a) => a.outcome === 'false alarm' || a.outcome === 'witness missed' || a.outcome === 'error');
    const markdown = [
      `${ONLY ? `Only the jobs matching PROTOKIT_SOUNDNESS_ONLY=\`${ONLY.source}\` of: ` : ''}Every model's default \`check\` on the correct model at seeds 1–${SEEDS.length}, and every named configuration (the README's \`explore\` commands and pinned configurations, each suite's small configuration, every preset under \`check\` and \`explore\`; searches capped at 400,000 states), each as the command line in a child process, ${SIDE_BY_SIDE} side by side (PROTOKIT_SOUNDNESS_LANES); jobs left at PROTOKIT_SOUNDNESS_DEADLINE are listed as not run. A violation counts as expected only when the suite declares it (\`expectedFailures\`: that property in that preset). Wall time on a shared 2-core machine.`,
      '',
      table(['model', 'seeds passed', 'not passed', 'wall time (checks run)'], seedRows),
      '',
      table(['named configuration', 'outcome', 'detail', 'searched', 'wall time'], namedRows),
      '',
      `Not declared expected: ${unexpected.length} of ${answers.filter((a) => a.outcome !== 'not run (deadline)').length} runs made (${answers.length} planned)${unexpected.length ? ` (${unexpected.map((a) => `${a.job.label}: ${a.outcome} ${a.detail}`).join('; ')})` : ''}. Whole sweep: ${ms(wallMs)} wall.`,
    ].join('\n');
    return { markdown, json: { answers: answers.map(({ job, ...rest }) => ({ ...job, ...rest })), unexpected: unexpected.length, wallMs } };
  },
};
