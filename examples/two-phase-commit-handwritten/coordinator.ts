/**
 * A Two-Phase Commit coordinator written by hand, in plain TypeScript: no xstate, no protokit.
 * It collects yes votes, commits once every participant voted yes (when asked to decide), aborts
 * when its timer fires first, logs its decision to storage before sending it, answers a
 * participant that asks again with the decision, and re-sends a logged decision after a restart.
 *
 * Two planted bugs, switched on by `bugs` (see bugs.ts): `commitAfterTimeout` and `staleRetry`.
 */
import type { Bugs } from './bugs.js';
import { Ids, type Environment, type LogLine, type Outgoing, type Storage, type Wire } from './wire.js';

export class Coordinator {
  private readonly votes = new Set<string>();
  private decision: 'commit' | 'abort' | null;
  /** The decision message last broadcast (kept to answer retries quickly). */
  private lastSent: Wire = { kind: 'ABORT' };
  private readonly ids: Ids;
  private seq: number;

  constructor(
    readonly id: string,
    private readonly participants: readonly string[],
    private readonly storage: Storage,
    private readonly env: Environment,
    private readonly bugs: Bugs,
    recovering: boolean,
  ) {
    this.ids = new Ids(id, storage);
    this.seq = storage.get<number>('seq') ?? 0;
    this.decision = storage.get<'commit' | 'abort'>('decision') ?? null;
    if (!recovering) {
      this.write({ what: 'started', sent: [] });
      return;
    }
    // Back from a crash: a logged decision is sent again (participants may have missed it).
    const sent = this.decision === null ? [] : this.broadcast(this.decision);
    this.write({ what: 'recovered', sent });
  }

  /** The logged decision (what an operator's status page shows). */
  get current(): 'commit' | 'abort' | null {
    return this.decision;
  }

  /** A message arrived. */
  receive(from: string, id: string, msg: Wire): void {
    let sent: Outgoing[] = [];
    if (msg.kind === 'PREPARED') {
      if (this.decision !== null) {
        // Asked again after deciding: answer with the decision.
        sent = [this.out(from, this.decision === 'commit' ? { kind: 'COMMIT' } : { kind: 'ABORT' })];
      } else {
        const retry = this.votes.has(msg.rm);
        this.votes.add(msg.rm);
        // BUG staleRetry: a retry is answered with the cached decision message, stale (ABORT) before any decision.
        if (retry && this.bugs.staleRetry) sent = [this.out(from, this.lastSent)];
      }
    }
    this.write({ what: 'received', from, id, msg, sent });
  }

  /** The application asks to commit: done only once every participant voted yes. */
  decide(): void {
    if (this.decision !== null || !this.participants.every((p) => this.votes.has(p))) return;
    this.write({ what: 'decide', sent: this.logAndBroadcast('commit') });
  }

  /** The vote timer fired: give up (abort) unless decided. */
  timeout(): void {
    if (this.decision !== null) return;
    // BUG commitAfterTimeout: with some yes votes in, the coordinator commits instead of aborting.
    const outcome = this.bugs.commitAfterTimeout && this.votes.size > 0 ? 'commit' : 'abort';
    this.write({ what: 'timeout', sent: this.logAndBroadcast(outcome) });
  }

  private logAndBroadcast(outcome: 'commit' | 'abort'): Outgoing[] {
    this.decision = outcome;
    this.storage.put('decision', outcome); // logged before anything is sent
    return this.broadcast(outcome);
  }

  private broadcast(outcome: 'commit' | 'abort'): Outgoing[] {
    this.lastSent = outcome === 'commit' ? { kind: 'COMMIT' } : { kind: 'ABORT' };
    return this.participants.map((p) => this.out(p, this.lastSent));
  }

  private out(to: string, msg: Wire): Outgoing {
    const o = { id: this.ids.next(), to, msg };
    return o;
  }

  private write(line: Omit<LogLine, 'node' | 'seq' | 'decision'>): void {
    this.storage.put('seq', ++this.seq);
    this.env.log({ node: this.id, seq: this.seq, ...line, decision: this.decision });
    for (const o of line.sent) this.env.send(o);
  }
}
