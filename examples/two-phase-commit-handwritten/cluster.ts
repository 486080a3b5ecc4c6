/**
 * A run of the hand-written services in one process: a network of messages in flight, timers
 * that fire when the scheduler says so, crashes that throw a service away (its storage stays)
 * and restarts. The scheduler is seeded, so a run is reproducible; each service writes its own
 * log, as it would to its own file in production.
 */
import type { Bugs } from './bugs.js';
import { Coordinator } from './coordinator.js';
import { Participant } from './participant.js';
import { Storage, type LogLine, type Outgoing } from './wire.js';

export interface RunOptions {
  readonly seed: number;
  /** Scheduler steps. */
  readonly steps: number;
  readonly participants?: number;
  readonly bugs?: Bugs;
  /** Crashes allowed (each followed, later, by a restart). Default 2. */
  readonly crashes?: number;
  /** Messages the network may lose, and duplicate. Default 1 each. */
  readonly losses?: number;
  readonly duplicates?: number;
}

/** Each service's log lines, by node id. */
export type Logs = Map<string, LogLine[]>;

export function runCluster(options: RunOptions): Logs {
  let s = options.seed >>> 0 || 1;
  const random = (n: number) => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), (s >>> 8) % n);
  const bugs = options.bugs ?? {};
  const rms = Array.from({ length: options.participants ?? 3 }, (_, i) => `rm${i + 1}`);
  const logs: Logs = new Map([['tm', []], ...rms.map((r) => [r, []] as [string, LogLine[]])]);
  const storage = new Map([...logs.keys()].map((id) => [id, new Storage()]));
  const inFlight: Outgoing[] = [];
  const envOf = (id: string) => ({ log: (line: LogLine) => logs.get(id)!.push(line), send: (o: Outgoing) => inFlight.push(o) });
  const start = (id: string, recovering: boolean) =>
    id === 'tm' ? new Coordinator('tm', rms, storage.get(id)!, envOf(id), bugs, recovering) : new Participant(id, 'tm', storage.get(id)!, envOf(id), bugs, recovering);
  const up = new Map<string, Coordinator | Participant | null>([...logs.keys()].map((id) => [id, start(id, false)]));
  let crashes = options.crashes ?? 2;
  let losses = options.losses ?? 1;
  let duplicates = options.duplicates ?? 1;

  for (let k = 0; k < options.steps; k++) {
    const choices: (() => void)[] = [];
    for (const [at, o] of inFlight.entries()) {
      const receiver = up.get(o.to);
      if (receiver) choices.push(() => {
        inFlight.splice(at, 1);
        const from = o.id.split(':')[0]!;
        receiver.receive(from, o.id, o.msg);
      });
    }
    for (const [id, service] of up) {
      if (service instanceof Coordinator) choices.push(() => service.decide(), () => service.decide(), () => service.timeout());
      else if (service instanceof Participant) choices.push(() => service.voteYes(), () => service.voteYes(), () => service.voteNo(), () => service.timeout());
      else choices.push(() => up.set(id, start(id, true)));
      if (service && crashes > 0) choices.push(() => (crashes--, up.set(id, null)));
    }
    if (inFlight.length > 0 && losses > 0) choices.push(() => (losses--, inFlight.splice(random(inFlight.length), 1)));
    if (inFlight.length > 0 && duplicates > 0) choices.push(() => (duplicates--, inFlight.push(inFlight[random(inFlight.length)]!)));
    choices[random(choices.length)]!();
  }
  return logs;
}
