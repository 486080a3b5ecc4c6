/**
 * The MapReduce model: the wiring (one coordinator, W workers, the fs node), each role's
 * environment events and what it persists, the parameters and bounds, the default faults and
 * exploration weights, and the mutants; `mapReduceModel(job)` builds it for any job.
 */
import { defineModel, type Model, type NodeSpec, type Params } from '../../src/index.js';
import { backupCandidate, coordinator, holdsOutput, isBusy, startable, type CoordinatorContext } from './coordinator.js';
import { fileSystem } from './file-system.js';
import type { MapReduceJob } from './job.js';
import { mutantsFor } from './mutants.js';
import { workerMachine } from './worker.js';
import { wordCount } from './word-count.js';

// ---- Wiring ---------------------------------------------------------------------------------

export const COORDINATOR = 'coordinator';
export const FS = 'fs';

export function workerIds(params: Params): string[] {
  return Array.from({ length: Number(params.workers) }, (_, i) => `w${i + 1}`);
}

function cluster(params: Params): NodeSpec[] {
  const workers = workerIds(params);
  const maps = Number(params.maps);
  const reduces = Number(params.reduces);
  const maxRetries = Number(params.retries);
  return [
    { id: COORDINATOR, role: 'coordinator', input: { workers, maps, reduces, maxAttempts: Number(params.attempts) } },
    ...workers.map((id) => ({ id, role: 'worker', input: { id, coordinator: COORDINATOR, fs: FS, maps, reduces, maxRetries } })),
    { id: FS, role: 'fs', input: {} },
  ];
}

/**
 * The coordinator's environment, per worker: Assign when it is idle and some task is idle,
 * Backup when it is idle and a backup is due, Timeout when it has work (running or on its disk).
 * These are supersets of what the guards accept, so that they hold for every mutant too.
 */
function coordinatorEnvironment(node: { state: unknown; context: Readonly<Record<string, any>> }) {
  if (node.state !== 'running') return [];
  const c = node.context as CoordinatorContext;
  const someIdle = c.mapTasks.some(startable(c)) || c.reduceTasks.some(startable(c));
  return c.workers.flatMap((worker) => {
    const events: { type: string; worker: string }[] = [];
    if (!isBusy(c, worker)) {
      if (someIdle) events.push({ type: 'Assign', worker });
      if (backupCandidate(c, worker) !== null) events.push({ type: 'Backup', worker });
    }
    if (isBusy(c, worker) || holdsOutput(c, worker)) events.push({ type: 'Timeout', worker });
    return events;
  });
}

const WORKER_EVENTS: Readonly<Record<string, readonly { type: string }[]>> = {
  mapping: [{ type: 'Work' }],
  fetching: [{ type: 'Retry' }],
  writing: [{ type: 'Retry' }],
  committing: [{ type: 'Retry' }],
  recovering: [{ type: 'KeepDisk' }, { type: 'LoseDisk' }],
};

// ---- The model ------------------------------------------------------------------------------

/**
 * Since 0.1.0. The MapReduce model for a job: word count by default, or any user-supplied
 * map and reduce functions over any list of input records.
 */
export function mapReduceModel(job: MapReduceJob, name = 'mapreduce'): Model {
  const { machine: worker } = workerMachine(job);
  const mutants = mutantsFor(job);
  const records = job.input.length;
  return defineModel({
    name,
    title: `MapReduce execution, ${job.name} (Dean & Ghemawat, "MapReduce: Simplified Data Processing on Large Clusters", 2004)`,
    params: {
      workers: { default: 2, min: 1, max: 6, description: 'number of workers' },
      maps: { default: Math.min(2, records), min: 1, max: records, description: `map tasks M (input splits of the ${records} input records)` },
      reduces: { default: 2, min: 1, max: 4, description: 'reduce tasks R (output partitions)' },
      attempts: { default: 3, min: 1, max: 8, description: 'most attempts of one task (re-executions and backups included)' },
      retries: { default: 2, min: 0, max: 8, description: 'most re-sends by one reduce attempt of what it waits on' },
    },
    roles: {
      coordinator: { machine: coordinator, persist: ['mapTasks', 'reduceTasks', 'nextAttempt'], environment: coordinatorEnvironment },
      worker: { machine: worker, persist: ['disk'], environment: (node) => (node.up ? (WORKER_EVENTS[String(node.state)] ?? []) : []) },
      fs: { machine: fileSystem, persist: ['files'] },
    },
    nodes: cluster,
    faults: { network: 'unordered', loss: 2, duplicate: 2, crash: 2, partition: 1 },
    // A job takes ~30 steps without faults. Progress (delivering, assigning, working) is common;
    // faults, retries, backups and above all timeouts (each one re-executes work) are rare, so
    // that most runs finish the job within the budget's depth, failures and all.
    exploration: {
      weights: { deliver: 32, crash: 2, restart: 12, drop: 2, duplicate: 2, partition: 1, heal: 8 },
      eventWeights: { Assign: 20, Work: 20, KeepDisk: 8, LoseDisk: 8, Backup: 4, Retry: 2, Timeout: 1 },
    },
    mutants,
  });
}

export default mapReduceModel(wordCount);
