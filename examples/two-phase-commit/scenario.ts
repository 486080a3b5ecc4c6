/**
 * Two-Phase Commit's documented blocking, for real: a coordinator (tm) and three participants
 * (rm1..rm3), each a process. Phase 1 completes (every RM prepared, the TM has every vote); the
 * TM is SIGKILLed before it decides. The RMs block, as the model says they must: a prepared RM
 * may neither commit nor abort on its own (its local abort is refused by its machine), and its
 * retries go unanswered. The TM restarts from its log: no decision was logged, so it is
 * undecided again and has forgotten the votes (they were volatile); the RMs' retries bring the
 * votes back, the TM decides to commit, and every RM learns it.
 * Progress is measured in counts (retries sent, steps), never in speed.
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Cluster, type ServerInfo } from '../raft-kv/cluster.js';

const script = join(dirname(fileURLToPath(import.meta.url)), 'node.ts');

interface Status {
  readonly state: string;
  readonly context: { readonly prepared?: readonly string[]; readonly decision?: string | null; readonly status?: string };
  readonly incarnation: number;
  readonly sent: Readonly<Record<string, number>>;
}

export interface BlockingResult {
  /** Each RM's state while the TM was down, after each had retried `retriesWhileDown` times. */
  readonly whileDown: Readonly<Record<string, string>>;
  readonly retriesWhileDown: number;
  /** Whether a prepared RM's own abort was taken while blocked (the model says: never). */
  readonly localAbortTaken: boolean;
  /** The TM as its recover step left it (from its recorded log): state, logged decision, the votes it remembers. */
  readonly tmAfterRestart: { readonly state: string; readonly decision: string | null; readonly prepared: readonly string[] };
  /** Every node's final state. */
  readonly final: Readonly<Record<string, string>>;
  /** Event kinds of the TM's recorded log, in order (deliveries by message type). */
  readonly tmLog: readonly string[];
}

export async function runBlockingScenario(dir: string, say: (line: string) => void = () => {}, retriesWhileDown = 3): Promise<BlockingResult> {
  const ids = ['tm', 'rm1', 'rm2', 'rm3'];
  const cluster = await Cluster.start(dir, ids, script);
  const rms = cluster.servers.filter((s) => s.id !== 'tm');
  const tm = cluster.servers.find((s) => s.id === 'tm')!;
  const status = async (s: ServerInfo): Promise<Status> => (await (await fetch(`${cluster.url(s)}/status`)).json()) as Status;
  const event = async (s: ServerInfo, type: string): Promise<{ changed: boolean; state: string }> =>
    (await (await fetch(`${cluster.url(s)}/event`, { method: 'POST', body: JSON.stringify({ type }) })).json()) as { changed: boolean; state: string };
  /** Polls until `done` holds (bounded by a count: a hang guard, not a verdict). */
  const until = async (what: string, done: () => Promise<boolean>): Promise<void> => {
    for (let i = 0; i < 3000; i++) {
      if (await done()) return;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    throw new Error(`gave up waiting: ${what}`);
  };
  try {
    // Phase 1: every RM votes yes; the TM collects the votes.
    for (const rm of rms) await event(rm, 'Prepare');
    await until('the TM has every vote', async () => (await status(tm)).context.prepared?.length === 3);
    say('phase 1 done: every RM prepared, the TM holds three votes and has not decided');

    // Between the phases, the TM dies.
    await cluster.kill(tm);
    const base = Object.fromEntries(await Promise.all(rms.map(async (rm) => [rm.id, (await status(rm)).sent.Prepared ?? 0] as const)));
    await until(`every RM retried ${retriesWhileDown} times`, async () => (await Promise.all(rms.map(async (rm) => ((await status(rm)).sent.Prepared ?? 0) - base[rm.id]! >= retriesWhileDown))).every(Boolean));
    const whileDown = Object.fromEntries(await Promise.all(rms.map(async (rm) => [rm.id, (await status(rm)).state] as const)));
    say(`TM killed; each RM asked again ${retriesWhileDown}+ times and is still: ${JSON.stringify(whileDown)}`);
    const localAbortTaken = (await event(rms[0]!, 'ChooseToAbort')).changed;
    say(`rm1 tries to abort on its own: ${localAbortTaken ? 'taken' : 'refused by its machine (a prepared RM may not decide alone)'}`);

    // Recovery: the TM restarts from its log.
    await cluster.launch(tm);
    say(`TM restarted (incarnation ${(await status(tm)).incarnation})`);
    await until('the retries bring every vote back', async () => (await status(tm)).context.prepared?.length === 3);
    const decided = await event(tm, 'DecideCommit');
    say(`the TM has every vote again and decides: ${decided.state}`);
    await until('every RM learns the outcome', async () => (await Promise.all(rms.map(async (rm) => (await status(rm)).state === 'committed'))).every(Boolean));
    const final = Object.fromEntries(await Promise.all(cluster.servers.map(async (s) => [s.id, (await status(s)).state] as const)));
    say(`final: ${JSON.stringify(final)}`);
    await cluster.stop();
    type Line = { event: { kind: string; message?: { type: string }; event?: { type: string } }; state: { value: string; context: Status['context'] }; sends: unknown[] };
    const lines = readFileSync(join(dir, 'logs', 'tm.ndjson'), 'utf8')
      .trimEnd()
      .split('\n')
      .slice(1)
      .map((l) => JSON.parse(l) as Line);
    const tmLog = lines.map(({ event: e }) => (e.kind === 'deliver' ? `deliver ${e.message!.type}` : e.kind === 'env' ? `env ${e.event!.type}` : e.kind));
    // The TM as its recover step left it (read from its log: by the time anyone asks, a retry may have arrived).
    const recovered = lines.find((l) => l.event.kind === 'recover')!;
    const tmAfterRestart = { state: recovered.state.value, decision: recovered.state.context.decision ?? null, prepared: recovered.state.context.prepared ?? [] };
    say(`the TM's recover step, from its log: state ${tmAfterRestart.state}, logged decision ${tmAfterRestart.decision}, votes remembered ${JSON.stringify(tmAfterRestart.prepared)}`);
    return { whileDown, retriesWhileDown, localAbortTaken, tmAfterRestart, final, tmLog };
  } finally {
    await cluster.stop();
  }
}
