/**
 * The body of a search worker thread: it loads the suite, resolves the same instance as the
 * main thread, and runs its share of each level (share.ts) as the main thread orders.
 */
import { parentPort, workerData, type MessagePort } from 'node:worker_threads';
import { resolveInstance, type InstanceOptions } from '../../engine/instance.js';
import { withProperties, type Suite } from '../../properties/suite.js';
import { suiteFromModule } from '../../properties/suite-module.js';
import { Expander } from './expand.js';
import { Share, transferablesOf, type LevelOrder, type PartReply } from './share.js';
import { Symmetry } from './symmetry.js';
import { terminalOf } from './terminal.js';

export interface WorkerSetup {
  readonly suiteModule: string;
  readonly model: string;
  readonly instance: InstanceOptions;
  readonly symmetry: boolean;
  readonly maxInFlight: number | undefined;
  /** Deadlock detection on (with the suite's terminal worlds). */
  readonly deadlock: boolean;
  /** The properties checked (--property/--skip); all when undefined. */
  readonly properties: readonly string[] | undefined;
  /** A port to each other searcher (null at this worker's own index). */
  readonly peers: readonly (MessagePort | null)[];
  /** This searcher's index (0 is the main thread). */
  readonly index: number;
}

export type FromWorker = { readonly kind: 'ready' } | PartReply;

async function loadSuite(setup: WorkerSetup): Promise<Suite> {
  const suite = await suiteFromModule(setup.suiteModule, setup.model);
  if (suite === undefined) throw new Error(`search worker: ${setup.suiteModule} has no suite for model ${setup.model}`);
  return suite;
}

const setup = workerData as WorkerSetup;
const suite = withProperties(await loadSuite(setup), setup.properties);
const instance = resolveInstance(suite.model, setup.instance);
const share = new Share(new Expander(instance, suite.properties, setup.symmetry ? new Symmetry(instance) : null, setup.maxInFlight, terminalOf(suite, setup.deadlock)), setup.peers, setup.index);

// Orders run one at a time, in the order sent.
let queue = Promise.resolve();
parentPort!.on('message', (order: LevelOrder) => {
  queue = queue.then(async () => {
    const reply = await share.run(order);
    parentPort!.postMessage(reply, transferablesOf(reply));
  });
});
parentPort!.postMessage({ kind: 'ready' } satisfies FromWorker);
