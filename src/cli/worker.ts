/** `protokit worker MODEL --cluster nats://…`: one worker process of a search or a random fleet; `protokit shard MODEL --cluster nats://…`: one shard of a search's visited set (src/cluster/). */
import { UsageError } from '../engine/errors.js';
import { resolveInstance } from '../engine/instance.js';
import { faultsFromOptions, parseConfigPairs, refuseModelAfterConfig } from './common.js';
import { loadSuite } from './registry.js';
import { safeLine as s } from '../render/safe-text.js';
import { credentialsOf, type ClusterFlags } from './cluster-flags.js';

export interface WorkerCommandOptions extends ClusterFlags {
  config: string[];
  mutant?: string;
  faults?: string | boolean;
  network?: string;
  load?: string;
  name?: string;
  /** Seconds to wait for a coordinator. */
  wait?: number;
  quiet?: boolean;
}

/** Default seconds a worker waits for a coordinator to answer its hello. */
export const WORKER_WAIT_S = 600;

export async function workerCommand(named: string | undefined, options: WorkerCommandOptions, role: 'worker' | 'shard' = 'worker'): Promise<number> {
  refuseModelAfterConfig(role, named, options.config);
  if (named === undefined) throw new UsageError("missing required argument 'model'");
  if (options.cluster === undefined) throw new UsageError(`${role} needs --cluster nats://HOST:PORT`);
  (await import('../cluster/nats.js')).checkClusterUrl(options.cluster, '--cluster');
  const suite = await loadSuite(named, options.load);
  const config = parseConfigPairs(options.config);
  const faults = faultsFromOptions(suite.model, options.faults, options.network);
  const instance = resolveInstance(suite.model, { config, mutant: options.mutant, faults });
  const log = (line: string) => {
    if (!options.quiet) process.stderr.write(`protokit ${role}: ${s(line)}\n`);
  };
  const workerOptions = { credentials: credentialsOf(options), waitS: options.wait ?? WORKER_WAIT_S, name: options.name, log };
  if (role === 'shard') await (await import('../cluster/shard.js')).runShard(suite, instance, workerOptions);
  else await (await import('../cluster/worker.js')).runWorker(suite, instance, workerOptions);
  return 0;
}
