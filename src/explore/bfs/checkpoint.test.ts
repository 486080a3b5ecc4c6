/**
 * Searches that outlive one process: a search checkpointed at a level boundary, interrupted, or
 * killed outright, then resumed, ends with exactly the figures of an uninterrupted search
 * (distinct states, transitions, depth, witnesses, counterexample); a resume under other options
 * is refused; a frontier spilled to disk past a tiny memory bound changes no count.
 */
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, test } from 'vitest';
import twoPhase from '../../../properties/two-phase-commit/index.js';
import type { InstanceOptions } from '../../engine/instance.js';
import { run as runInProcess } from '../../cli/run-in-process.js';
import { explore, type ExploreOptions, type ExploreResult } from './search.js';

const dirs: string[] = [];
const freshDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'protokit-checkpoint-test-'));
  dirs.push(d);
  return d;
};
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

// Checkpoints and spilling belong to the safety search: the suite's liveness property is left out here.
const tla = (rms: number): InstanceOptions & { liveness: false } => ({ config: { preset: 'tla', rms }, liveness: false });
const small: InstanceOptions = { config: { rms: 2, retry: false }, faults: { network: 'unordered', loss: 1, duplicate: 0, crash: 1, partition: 0 } };

/** The figures a resumed search must reproduce. */
const figures = (r: ExploreResult) => ({
  distinctStates: r.distinctStates,
  generated: r.generated,
  depth: r.depth,
  complete: r.complete,
  stoppedBy: r.stoppedBy,
  witnesses: r.witnesses,
  violation: r.violation,
});

// The uninterrupted search of TwoPhase with 5 RMs, which several tests reproduce.
let whole5: Promise<ExploreResult> | null = null;
const wholeTla5 = () => (whole5 ??= explore(twoPhase, tla(5)));

describe('checkpoint and resume in one process', () => {
  test('checkpointed at a level boundary (depth 6 of 14), resumed: the figures of the uninterrupted search', async () => {
    const whole = await explore(twoPhase, tla(4));
    const dir = freshDir();
    await explore(twoPhase, { ...tla(4), checkpoint: { dir, due: (depth) => depth === 6 } });
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8'));
    expect(manifest.counters.depth).toBe(6);
    const resumed = await explore(twoPhase, { ...tla(4), resume: dir });
    expect(resumed.resumed).toBe(true);
    expect(figures(resumed)).toEqual(figures(whole));
    expect([whole.distinctStates, whole.depth]).toEqual([1568, 14]);
  });

  test('interrupted inside a level: the search stops at that level start and saves it; the resume ends the same', async () => {
    const whole = await wholeTla5();
    const dir = freshDir();
    // Level 8 of rms=5 holds two chunks (1,024 states each): interrupt once its first is done.
    let inLevel8 = false;
    const cut = await explore(twoPhase, {
      ...tla(5),
      checkpoint: { dir, due: () => false },
      onProgress: (p) => (inLevel8 ||= p.depth === 8),
      interrupted: () => inLevel8,
    });
    expect([cut.stoppedBy, cut.complete, cut.violation, cut.depth]).toEqual(['interrupted', false, null, 7]);
    expect([cut.checkpoint?.depth, cut.checkpoint?.states, cut.distinctStates]).toEqual([7, 3476, 3476]);
    const resumed = await explore(twoPhase, { ...tla(5), resume: dir });
    expect(figures(resumed)).toEqual(figures(whole));
  });

  test('interrupted at a level boundary of a buggy variant: the resume finds the same shortest counterexample', async () => {
    const options: ExploreOptions = { ...small, mutant: 'tm-forgets-decision', liveness: false, deadlock: false };
    const whole = await explore(twoPhase, options);
    expect([whole.violation?.property, whole.violation?.step]).toEqual(['decision-never-changes', 8]);
    const dir = freshDir();
    let polls = 0; // one per chunk; here every level is one chunk
    const cut = await explore(twoPhase, { ...options, checkpoint: { dir, due: () => false }, interrupted: () => ++polls > 5 });
    expect([cut.stoppedBy, cut.depth, cut.violation]).toEqual(['interrupted', 5, null]);
    const resumed = await explore(twoPhase, { ...options, resume: dir });
    expect(figures(resumed)).toEqual(figures(whole));
    expect(resumed.violation?.actions).toEqual(whole.violation?.actions);
  });

  test('a resume under other options is refused, naming the option', async () => {
    const dir = freshDir();
    await explore(twoPhase, { ...tla(3), checkpoint: { dir, due: (depth) => depth === 3 } });
    await expect(explore(twoPhase, { ...tla(3), mutant: 'tm-commits-on-majority', resume: dir })).rejects.toThrow(
      /written under other options \(mutant: "none" there, "tm-commits-on-majority" here\)/,
    );
    await expect(explore(twoPhase, { ...tla(3), maxDepth: 5, resume: dir })).rejects.toThrow(/maxDepth/);
    // Deadlock detection changes what is reported: it is part of the options a checkpoint holds.
    await expect(explore(twoPhase, { ...tla(3), deadlock: false, resume: dir })).rejects.toThrow(/\(deadlock: true there, false here\)/);
    await expect(explore(twoPhase, { ...tla(3), resume: freshDir() })).rejects.toThrow(/no checkpoint in/);
  });
});

describe('a damaged checkpoint is refused, never resumed to a clean pass (issue 23.2)', { timeout: 300_000 }, () => {
  // A buggy variant, checkpointed at depth 4 of a search whose counterexample is at step 8: a
  // resume that lost the frontier would end with no violation.
  const options: ExploreOptions = { ...small, mutant: 'tm-forgets-decision', liveness: false, deadlock: false };
  const sha = (data: string | Uint8Array) => createHash('sha256').update(data).digest('hex');
  type Manifest = Record<string, any>;

  async function checkpointed(): Promise<{ dir: string; manifest: Manifest }> {
    const dir = freshDir();
    await explore(twoPhase, { ...options, checkpoint: { dir, due: (depth) => depth === 4 } });
    return { dir, manifest: JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) };
  }
  /** Writes the manifest back; `sealed` recomputes its own checksum, as a forger would. */
  function rewrite(dir: string, manifest: Manifest, sealed: boolean): void {
    const { sha256: _old, ...body } = manifest;
    writeFileSync(join(dir, 'manifest.json'), JSON.stringify({ ...body, sha256: sealed ? sha(JSON.stringify(body)) : _old }));
  }
  const resume = (dir: string) => explore(twoPhase, { ...options, resume: dir });

  test('the untouched checkpoint resumes to the violation at step 8', async () => {
    const { dir, manifest } = await checkpointed();
    expect([manifest.format, manifest.frontier.chunks, manifest.frontier.worlds > 0]).toEqual(['protokit-checkpoint/2', 1, true]);
    const r = await resume(dir);
    expect([r.violation?.property, r.violation?.step]).toEqual(['decision-never-changes', 8]);
  });

  test('a manifest claiming zero frontier chunks: refused by its checksum, and when resealed, by its counts', async () => {
    const { dir, manifest } = await checkpointed();
    manifest.frontier.chunks = 0;
    rewrite(dir, manifest, false);
    await expect(resume(dir)).rejects.toThrow(/manifest\.json does not match its checksum \(edited or damaged\); start the search again$/);
    manifest.frontier.worlds = 0;
    manifest.states = manifest.frontier.firstId;
    manifest.visited.bytes = manifest.states * 12;
    rewrite(dir, manifest, true);
    await expect(resume(dir)).rejects.toThrow(/is damaged: a frontier of 0 worlds in 0 chunks \(a checkpoint always has states left to search\)/);
  });

  test('a frontier file that is /dev/zero, named outside the folder, cut short or changed: refused', async () => {
    const { dir, manifest } = await checkpointed();
    const file = join(dir, manifest.frontier.file);
    const original = readFileSync(file);
    rmSync(file);
    symlinkSync('/dev/zero', file);
    await expect(resume(dir)).rejects.toThrow(/is not a regular file \(a device, FIFO or socket\), not a checkpoint frontier file$/);
    rmSync(file);
    rewrite(dir, { ...manifest, frontier: { ...manifest.frontier, file: '../../../../dev/zero' } }, true);
    await expect(resume(dir)).rejects.toThrow(/is not a protokit-checkpoint\/2 manifest \(frontier\.file: /);
    rewrite(dir, manifest, false);
    writeFileSync(file, original.subarray(0, original.length - 1));
    await expect(resume(dir)).rejects.toThrow(new RegExp(`holds ${original.length - 1} bytes, not the ${original.length} its manifest states`));
    const flipped = Buffer.from(original);
    flipped[flipped.length - 2] ^= 1;
    writeFileSync(file, flipped);
    await expect(resume(dir)).rejects.toThrow(/frontier-\d+\.chunks does not match its checksum/);
  });

  test('tampered parent pointers (a cycle, out of range), even with every checksum resealed: refused before any is followed', async () => {
    const { dir, manifest } = await checkpointed();
    const path = join(dir, manifest.visited.file);
    const original = readFileSync(path);
    const n = manifest.states;
    for (const [state, parent] of [[5, 7], [3, 3], [2, 4_000_000_000]] as const) {
      const bytes = Buffer.from(original);
      bytes.writeUInt32LE(parent, (2 * n + state) * 4);
      writeFileSync(path, bytes);
      rewrite(dir, { ...manifest, visited: { ...manifest.visited, sha256: sha(bytes) } }, true);
      await expect(resume(dir)).rejects.toThrow(`state ${state} has parent ${parent} (a parent is an earlier state; only state 0 has none)`);
    }
  });

  test('a checkpoint of the format before checksums is refused: it cannot be verified', async () => {
    const { dir, manifest } = await checkpointed();
    rewrite(dir, { ...manifest, format: 'protokit-checkpoint/1' }, true);
    await expect(resume(dir)).rejects.toThrow(/is a protokit-checkpoint\/1 checkpoint, written by an earlier protokit without checksums/);
  });
});

describe('the frontier spills to disk past the memory bound', () => {
  test('with a liveness property (issue 23.8): a 1 MB bound spills the frontier instead of stopping; the counts and verdicts are those in memory', { timeout: 300_000 }, async () => {
    const withLiveness: InstanceOptions = { config: { preset: 'tla', rms: 4 } };
    const inMemory = await explore(twoPhase, withLiveness);
    const spilled = await explore(twoPhase, { ...withLiveness, maxMemoryMb: 1 });
    expect(inMemory.liveness.checked).toBe(true);
    expect([spilled.stoppedBy, spilled.liveness.checked, spilled.spilledWorlds > 0]).toEqual([null, true, true]);
    expect(figures(spilled)).toEqual(figures(inMemory));
    expect(spilled.liveness.properties).toEqual(inMemory.liveness.properties);
    expect(inMemory.liveness.properties.map((p) => p.verdict)).toEqual(['holds']);
  });

  test('a 1 MB bound: the frontier goes to disk and the counts are those of the search in memory', async () => {
    const spilled = await explore(twoPhase, { ...tla(5), maxMemoryMb: 1 });
    expect(spilled.spilledWorlds).toBeGreaterThan(0);
    const inMemory = await wholeTla5();
    expect(inMemory.spilledWorlds).toBe(0);
    expect(figures(spilled)).toEqual(figures(inMemory));
    expect([spilled.distinctStates, spilled.depth, spilled.complete, spilled.stoppedBy, spilled.generated]).toEqual([8832, 17, true, null, 37345]);
  });

  test('checkpointed with a spilled frontier, then resumed: the same counts', async () => {
    const dir = freshDir();
    await explore(twoPhase, { ...tla(5), maxMemoryMb: 1, checkpoint: { dir, due: (depth) => depth === 12 } });
    const resumed = await explore(twoPhase, { ...tla(5), maxMemoryMb: 1, resume: dir });
    expect([resumed.distinctStates, resumed.depth, resumed.complete, resumed.generated]).toEqual([8832, 17, true, 37345]);
  });

  test('the memory bound stops the search when the visited set alone passes it', async () => {
    // rms=6 has 50,816 states; past 32,768 the visited set holds 1.3 MB.
    const r = await explore(twoPhase, { ...tla(6), maxMemoryMb: 1 });
    expect([r.complete, r.stoppedBy]).toEqual([false, 'memory']);
    expect(r.distinctStates).toBeGreaterThan(32_768);
    expect(r.distinctStates).toBeLessThan(50_816);
  });
});

describe('the command line, as separate processes', () => {
  const BIN = new URL('../../cli/bin.mjs', import.meta.url).pathname;
  const args = ['explore', 'two-phase-commit', '--config', 'preset=tla', '--config', 'rms=5', '--json'];

  function run(extra: string[], onSpawn?: (child: ReturnType<typeof spawn>) => void): Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }> {
    return new Promise((resolve) => {
      const child = spawn(process.execPath, [BIN, ...args, ...extra], { stdio: ['ignore', 'pipe', 'pipe'] });
      let stdout = '';
      let stderr = '';
      child.stdout!.on('data', (d) => (stdout += d));
      child.stderr!.on('data', (d) => (stderr += d));
      child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
      onSpawn?.(child);
    });
  }

  /** Sends `signal` once a checkpoint of at least `depth` levels is on disk. */
  const signalAfterCheckpoint = (dir: string, depth: number, signal: NodeJS.Signals) => (child: ReturnType<typeof spawn>) => {
    const timer = setInterval(() => {
      const path = join(dir, 'manifest.json');
      if (!existsSync(path)) return;
      try {
        if (JSON.parse(readFileSync(path, 'utf8')).counters.depth < depth) return;
      } catch {
        return;
      }
      clearInterval(timer);
      child.kill(signal);
    }, 10);
    child.on('close', () => clearInterval(timer));
  };

  const pick = (stdout: string) => {
    const j = JSON.parse(stdout);
    return [j.distinctStates, j.generated, j.depth, j.complete, j.witnesses, j.violation];
  };
  const WHOLE = [8832, 37345, 17, true];

  // Both stops run side by side as processes (a process is what a signal stops); the resumes read
  // only what those left on disk, so they run in-process, one after the other (a spawned bin cost
  // a second of CPU more each, for tsx).
  test('killed (SIGKILL), or stopped by Ctrl-C (SIGINT: a checkpoint, the figures, exit 130), after writing a checkpoint; each resume ends as the uninterrupted search', async () => {
    const killedDir = freshDir();
    const stoppedDir = freshDir();
    const [killed, stopped] = await Promise.all([
      run(['--checkpoint', killedDir, '--checkpoint-interval', '0'], signalAfterCheckpoint(killedDir, 3, 'SIGKILL')),
      run(['--checkpoint', stoppedDir, '--checkpoint-interval', '0'], signalAfterCheckpoint(stoppedDir, 3, 'SIGINT')),
    ]);
    expect(killed.signal).toBe('SIGKILL');
    expect(stopped.code).toBe(130);
    const j = JSON.parse(stopped.stdout);
    expect([j.stoppedBy, j.complete, j.checkpoint.dir, j.checkpoint.states]).toEqual(['interrupted', false, stoppedDir, j.distinctStates]);
    expect(j.checkpoint.resume).toMatch(/--resume /);

    // The refused resume first: it must see the checkpoint the stop wrote, not what a resume left.
    const other = await runInProcess(...args, '--max-depth', '9', '--resume', stoppedDir);
    const afterKill = await runInProcess(...args, '--resume', killedDir);
    const afterStop = await runInProcess(...args, '--resume', stoppedDir);
    for (const resumed of [afterKill, afterStop]) {
      expect(resumed.code).toBe(0);
      expect(pick(resumed.stdout).slice(0, 4)).toEqual(WHOLE);
      expect(JSON.parse(resumed.stdout).resumed).toBe(true);
    }
    expect([other.code, other.stderr.trim().split('\n').length]).toEqual([2, 1]);
    expect(other.stderr).toMatch(/written under other options \(maxDepth:/);
  });
});
