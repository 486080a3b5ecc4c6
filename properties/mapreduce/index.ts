/**
 * What MapReduce execution must guarantee (Dean & Ghemawat 2004, section 3.3: with
 * deterministic operators, the output equals that of a sequential, failure-free execution),
 * split so that a violation names exactly what failed. Each reads the shared file system's
 * files and the observations (task assignments, completions, abandoned attempts, failures,
 * commits), never a worker's internals.
 *
 * `mapReduceSuite(job)` checks a user-supplied job the same way; the default export checks
 * word count.
 */
import mapReduce, { mapReduceModel, outputFile, sequentialOutput, wordCount, type FileContent, type MapReduceJob } from '../../models/mapreduce/index.js';
import { canonical, type Observation, always, alwaysStep, leadsTo, sometimes, type Property, type Verdict, defineSuite, type Suite, type WorldView } from '../../src/index.js';
import { jobEventuallyCompletes } from './liveness.js';

const reduces = (w: WorldView): number => Number(w.params.reduces);
const files = (w: WorldView): Readonly<Record<string, FileContent>> => w.node('fs').context.files ?? {};
const observed = (w: WorldView, type: string): Observation[] => w.observations.filter((o) => o.type === type);
const indexOf = (w: WorldView, match: (o: Observation) => boolean): number => w.observations.findIndex(match);
const jobCompleted = (w: WorldView): boolean => w.observations.some((o) => o.type === 'JobCompleted');

interface TaskView {
  readonly running: readonly unknown[];
  readonly completed: unknown;
  readonly attempts: number;
}
/** A task that used all its attempts and has none running: the coordinator can do no more for it. */
const outOfAttempts = (w: WorldView): boolean => {
  const c = w.role('coordinator')[0]?.context;
  if (c === undefined) return false;
  const tasks = [...(c.mapTasks as TaskView[]), ...(c.reduceTasks as TaskView[])];
  return tasks.some((t) => t.completed === null && t.running.length === 0 && t.attempts >= (c.maxAttempts as number));
};
/** Map tasks whose completed output was on a worker when it was declared failed: the task, and the failure's index. */
function lostMaps(w: WorldView): { task: number; at: number }[] {
  const lost: { task: number; at: number }[] = [];
  const holder = new Map<number, string>();
  w.observations.forEach((o, at) => {
    if (o.type === 'TaskCompleted' && o.kind === 'map') holder.set(o.task as number, o.worker as string);
    if (o.type === 'WorkerFailed') for (const [task, worker] of holder) if (worker === o.worker) lost.push({ task, at });
  });
  return lost;
}

/** Map `task` was assigned again after observation `at`, or has used all its attempts. */
function reExecuted(w: WorldView, task: number, at: number): boolean {
  if (w.observations.some((o, i) => i > at && o.type === 'TaskAssigned' && o.kind === 'map' && o.task === task)) return true;
  const c = w.role('coordinator')[0]?.context;
  return c !== undefined && (c.mapTasks as TaskView[])[task]!.attempts >= (c.maxAttempts as number);
}

/** The job is over: complete, or given up because a task ran out of attempts (the bound). */
export const jobOver = (w: WorldView): boolean => jobCompleted(w) || outOfAttempts(w);
/**
 * Worlds share their observation list and their file table until these change, so a check
 * that reads only them is memoised on them (by identity; they are never mutated).
 */
function memoOn<K extends object>(key: (w: WorldView) => K, check: (w: WorldView) => Verdict): (w: WorldView) => Verdict {
  const memo = new WeakMap<K, Verdict>();
  return (w) => {
    const k = key(w);
    if (memo.has(k)) return memo.get(k);
    const verdict = check(w);
    memo.set(k, verdict);
    return verdict;
  };
}
const byObservations = (w: WorldView) => w.observations;
/** Both: the file table identity keys a memo per observation list. */
function memoOnBoth(check: (w: WorldView) => Verdict): (w: WorldView) => Verdict {
  const memo = new WeakMap<object, WeakMap<object, Verdict>>();
  return (w) => {
    let inner = memo.get(w.observations);
    if (inner === undefined) memo.set(w.observations, (inner = new WeakMap()));
    const k = files(w);
    if (inner.has(k)) return inner.get(k);
    const verdict = check(w);
    inner.set(k, verdict);
    return verdict;
  };
}

const sourcesText = (sources: readonly { map: number; attempt: number }[]) => sources.map((s) => `map ${s.map} attempt ${s.attempt}`).join(', ');

/** The properties and witnesses for one job. */
export function mapReduceProperties(job: MapReduceJob): Property[] {
  const expected = new Map<number, string[]>();
  const sequential = (r: number): string[] => {
    let partitions = expected.get(r);
    if (partitions === undefined) expected.set(r, (partitions = sequentialOutput(job, r).map((p) => canonical(p))));
    return partitions;
  };

  /** Every committed output partition holds exactly that partition of the job computed sequentially. */
  const outputMatchesSequential = always(
    'output-matches-sequential',
    'the committed output equals the job computed sequentially (each partition, once committed; so the whole output once the job is complete)',
    memoOnBoth((w) => {
      const want = sequential(reduces(w));
      for (let r = 0; r < want.length; r++) {
        const file = files(w)[outputFile(r)];
        if (file !== undefined && canonical(file.records) !== want[r]) {
          return `${outputFile(r)} (attempt ${file.attempt}, from ${sourcesText(file.sources) || 'no map output'}) holds ${canonical(file.records)}; computed sequentially: ${want[r]}`;
        }
      }
    }),
  );

  /** First commit wins: a partition is committed once, and its file is that attempt's content. */
  const commitOnce = always('commit-once', 'each reduce partition is committed exactly once, and its content comes from one attempt', memoOnBoth((w) => {
    const commits = observed(w, 'OutputCommitted');
    for (let r = 0; r < reduces(w); r++) {
      const attempts = commits.filter((o) => o.partition === r).map((o) => o.attempt as number);
      if (attempts.length > 1) return `partition ${r} was committed by attempts ${attempts.join(' and then ')}`;
      const file = files(w)[outputFile(r)];
      if (file !== undefined && attempts.length === 1 && file.attempt !== attempts[0]) {
        return `${outputFile(r)} holds the content of attempt ${file.attempt}, but attempt ${attempts[0]} committed it`;
      }
    }
  }));

  /**
   * A committed output may only use map output the coordinator accepted as a task's
   * completion, from an attempt it had not abandoned before (a failed attempt's late report).
   */
  const readsOnlyReportedOutput = always(
    'reads-only-reported-output',
    'no reduce attempt commits output computed from intermediate data that a failed map attempt produced but never reported',
    memoOn(byObservations, (w) => {
      for (const commit of observed(w, 'OutputCommitted')) {
        for (const s of commit.sources as { map: number; attempt: number }[]) {
          const isAttempt = (type: string) => (o: Observation) => o.type === type && o.kind === 'map' && o.task === s.map && o.attempt === s.attempt;
          const reported = indexOf(w, isAttempt('TaskCompleted'));
          const abandoned = indexOf(w, isAttempt('AttemptAbandoned'));
          if (reported < 0) {
            return `partition ${commit.partition} (attempt ${commit.attempt}) was computed from map ${s.map} attempt ${s.attempt}, which never completed`;
          }
          if (abandoned >= 0 && abandoned < reported) {
            return `partition ${commit.partition} (attempt ${commit.attempt}) was computed from map ${s.map} attempt ${s.attempt}, which the coordinator had abandoned as failed before its report`;
          }
        }
      }
    }),
  );

  /** The job is complete only when every one of the R output files is on the file system. */
  const completeOnlyWhenCommitted = always('complete-only-when-committed', 'the job is reported complete only when every partition is committed', memoOnBoth((w) => {
    if (!jobCompleted(w)) return;
    const missing = Array.from({ length: reduces(w) }, (_, r) => outputFile(r)).filter((f) => files(w)[f] === undefined);
    if (missing.length > 0) return `the job was reported complete but ${missing.join(', ')} ${missing.length > 1 ? 'are' : 'is'} not committed`;
  }));

  /**
   * Section 3.3 as liveness: a failed worker's completed map output is lost with its disk, so
   * the map task must be executed again. Whenever the coordinator declares failed the worker
   * holding a map task's completed output, that task is eventually assigned again (or has no
   * attempt left). Before liveness this bug could only be caught by a surrogate safety property
   * (no reduce is sent to read output of a worker declared failed); now by what it breaks.
   */
  const lostMapsReExecuted = leadsTo(
    'lost-maps-re-executed',
    'a completed map task whose worker is declared failed is eventually assigned again (unless it has no attempt left, or the job completed anyway)',
    (w) => lostMaps(w).length > 0,
    (w) => jobCompleted(w) || lostMaps(w).every(({ task, at }) => reExecuted(w, task, at)),
  );

  /**
   * Section 3.3: "If the master receives a completion message for an already completed map task,
   * it ignores the message", and completed reduce tasks are never re-executed (their output is on
   * the global file system). So a reduce task is completed once, and a map task again only after
   * the worker holding its output was declared failed (which loses that output and re-queues it).
   * A failure is observed once per worker and attempts started (WorkerFailed{worker, afterAttempt}),
   * so the failure that re-queued a map completed by attempt a is one of its worker's with
   * afterAttempt >= a: any earlier failure of that worker would have abandoned attempt a.
   */
  const completionAcceptedOnce = always(
    'completion-accepted-once',
    "a task's completion is accepted once: a reduce task's never again, a map task's again only after its worker was declared failed",
    memoOn(byObservations, (w) => {
      const done = new Map<string, { attempt: number; worker: unknown }>();
      const failedSince = (worker: unknown, attempt: number, before: number) =>
        w.observations.some((o, i) => i < before && o.type === 'WorkerFailed' && o.worker === worker && (o.afterAttempt as number) >= attempt);
      for (const [i, o] of w.observations.entries()) {
        if (o.type !== 'TaskCompleted') continue;
        const key = `${String(o.kind)} ${String(o.task)}`;
        const first = done.get(key);
        if (first !== undefined && (o.kind !== 'map' || !failedSince(first.worker, first.attempt, i))) {
          const why = o.kind === 'map' ? `, and ${String(first.worker)} was not declared failed in between` : ' (a completed reduce task is never re-executed)';
          return `${key} was completed by attempt ${first.attempt} on ${String(first.worker)}, then again by attempt ${String(o.attempt)} on ${String(o.worker)}${why}`;
        }
        done.set(key, { attempt: o.attempt as number, worker: o.worker });
      }
    }),
  );

  /**
   * Section 3.3: "When a map task is executed first by worker A and then later executed by worker B
   * (because A failed), all workers executing reduce tasks are notified of the re-execution."
   * Read on the step that accepts a map's completion: every reduce attempt running then is sent
   * the map's new location (a Relocated in flight after the step; the network may lose it later,
   * which the worker's retries and the coordinator's failure detector are there for). Reduce tasks
   * start only once every map is complete, so a map completing while they run was re-executed.
   */
  const reducersToldOfReExecution = alwaysStep(
    'reducers-told-of-re-execution',
    'when a map task completes while reduce attempts run, each of their workers is sent the new location of its output',
    (before, after, action) => {
      if (action.type !== 'deliver' || action.message.type !== 'MapDone' || after.observations.length === before.observations.length) return;
      const isNew = (o: Observation) => !before.observations.some((b) => b.type === o.type && b.kind === o.kind && b.task === o.task && b.attempt === o.attempt);
      const completed = after.observations.find((o) => o.type === 'TaskCompleted' && o.kind === 'map' && isNew(o));
      if (completed === undefined) return;
      const running = (before.role('coordinator')[0]!.context.reduceTasks as readonly TaskView[]).flatMap((t) => t.running as readonly { attempt: number; worker: string }[]);
      for (const a of running) {
        const told = after.network.some((m) => {
          if (m.to !== a.worker || m.message.type !== 'Relocated' || m.message.reduceAttempt !== a.attempt) return false;
          const source = m.message.source as { map: number; attempt: number; worker: string };
          return source.map === completed.task && source.attempt === completed.attempt && source.worker === completed.worker;
        });
        if (!told) {
          return `map task ${String(completed.task)} completed again (attempt ${String(completed.attempt)} on ${String(completed.worker)}) while reduce attempt ${a.attempt} ran on ${a.worker}, and ${a.worker} was not told its new location`;
        }
      }
    },
  );

  /**
   * Section 3.3's commit: a reduce worker writes its whole output to a private temporary file, and
   * then renames it. A Rename in flight must name a temporary file the file system holds (written,
   * not yet renamed), unless the output is already committed (the first commit won, or this is a
   * repeated rename): a rename that overtakes its write finds nothing to commit.
   */
  const renamesOnlyWrittenFiles = always(
    'renames-only-written-files',
    'a reduce worker asks to rename only a temporary file the file system holds, or one whose output is already committed',
    (w) => {
      const held = files(w);
      for (const m of w.network) {
        if (m.message.type !== 'Rename') continue;
        const { temp, output } = m.message as unknown as { temp: string; output: string };
        if (held[temp] === undefined && held[output] === undefined) {
          return `${m.from} asks to rename ${temp} to ${output}, but the file system holds no ${temp} (not written yet) and ${output} is not committed`;
        }
      }
    },
  );

  const jobCompletes = sometimes('job-completes', 'the job completes', jobCompleted);
  const completesAfterCrash = sometimes('completes-after-worker-crash', 'the job completes after a worker crashed', (w) => {
    if (!jobCompleted(w)) return false;
    return w.role('worker').some((n) => !n.up) || w.observations.some((o) => o.type === 'WorkerRestarted');
  });
  const backupCommitsFirst = sometimes('backup-commits-first', "a backup attempt's output is the one committed", (w) =>
    observed(w, 'OutputCommitted').some((c) =>
      w.observations.some((o) => o.type === 'TaskAssigned' && o.kind === 'reduce' && o.attempt === c.attempt && o.backup === true),
    ),
  );

  return [
    commitOnce,
    readsOnlyReportedOutput,
    lostMapsReExecuted,
    completeOnlyWhenCommitted,
    outputMatchesSequential,
    completionAcceptedOnce,
    reducersToldOfReExecution,
    renamesOnlyWrittenFiles,
    jobCompletes,
    completesAfterCrash,
    backupCommitsFirst,
    jobEventuallyCompletes(jobOver),
  ];
}

/** Since 0.1.0. A suite for a user-supplied job: the model of `mapReduceModel(job, name)` with these properties. */
export function mapReduceSuite(job: MapReduceJob, name = 'mapreduce'): Suite {
  const model = name === 'mapreduce' && job === wordCount ? mapReduce : mapReduceModel(job, name);
  // Sweep map and reduce counts: with as many maps as reduces, a bug that confuses the two (or
  // indexes one by the other) behaves exactly like the correct model.
  const sweep = { maps: [1, 2, 3].filter((m) => m <= job.input.length), reduces: [1, 2] };
  // Exhaustive search: one worker that may crash (and come back with or without its disk), two
  // map tasks and one reduce task, two attempts per task (62,227 states for word count).
  const small = {
    description: 'one worker that may crash, two maps, one reduce, two attempts per task, no re-sends',
    config: { workers: 1, maps: Math.min(2, job.input.length), reduces: 1, attempts: 2, retries: 0 },
    faults: { network: 'unordered' as const, loss: 0, duplicate: 0, crash: 1, partition: 0 },
  };
  const none = { network: 'unordered' as const, loss: 0, duplicate: 0, crash: 0, partition: 0 };
  const smallConfigs = [
    // Two workers, so that a second attempt of a task runs beside the first: a backup (section
    // 3.6), or a map re-executed on one worker while the other runs the reduce that needs its
    // output (section 3.3). The failure detector's Timeout needs no fault to fire (123,103
    // states; the pass searches the first 75,000, to depth 19).
    {
      description: 'two workers, one map, one reduce, two attempts per task, no faults',
      config: { workers: 2, maps: 1, reduces: 1, attempts: 2, retries: 0 },
      faults: none,
    },
    // One worker runs both reduce tasks in turn while replies to the first are still in flight:
    // a re-send (one retry) leaves a second FetchData or Written behind, for the next attempt to
    // mistake for its own (1,208 states).
    {
      description: 'one worker, one map, two reduces run in turn, one re-send, no faults',
      config: { workers: 1, maps: 1, reduces: 2, attempts: 1, retries: 1 },
      faults: none,
    },
  ];
  return defineSuite({ model, properties: mapReduceProperties(job), budget: { runs: 1000, depth: 80 }, sweep, small, smallConfigs, terminal: jobOver });
}

export default mapReduceSuite(wordCount);
