/**
 * A Two-Phase Commit participant written by hand, in plain TypeScript. It votes yes (logging its
 * vote before sending it) or no, asks the coordinator again when its timer fires while prepared,
 * adopts whichever decision reaches it, and after a restart resumes from its logged status: a
 * yes vote is sent again; a participant that had not voted has lost its work and aborts.
 *
 * One planted bug, switched on by `bugs`: `forgetVote` (the yes vote is not written to storage).
 */
import type { Bugs } from './bugs.js';
import { Ids, type Environment, type LogLine, type Outgoing, type Storage, type Wire } from './wire.js';

type Status = 'working' | 'prepared' | 'committed' | 'aborted';

export class Participant {
  private status: Status;
  private readonly ids: Ids;
  private seq: number;

  constructor(
    readonly id: string,
    private readonly coordinator: string,
    private readonly storage: Storage,
    private readonly env: Environment,
    private readonly bugs: Bugs,
    recovering: boolean,
  ) {
    this.ids = new Ids(id, storage);
    this.seq = storage.get<number>('seq') ?? 0;
    this.status = storage.get<Status>('status') ?? 'working';
    if (!recovering) {
      this.write({ what: 'started', sent: [] });
      return;
    }
    let sent: Outgoing[] = [];
    if (this.status === 'prepared') sent = [this.prepared()];
    else if (this.status === 'working') this.setStatus('aborted'); // crashed before voting: the work is lost
    this.write({ what: 'recovered', sent });
  }

  get current(): Status {
    return this.status;
  }

  voteYes(): void {
    if (this.status !== 'working') return;
    this.setStatus('prepared');
    this.write({ what: 'vote-yes', sent: [this.prepared()] });
  }

  voteNo(): void {
    if (this.status !== 'working') return;
    this.setStatus('aborted');
    this.write({ what: 'vote-no', sent: [] });
  }

  /** The timer fired: while prepared, ask the coordinator again. */
  timeout(): void {
    if (this.status !== 'prepared') return;
    this.write({ what: 'timeout', sent: [this.prepared()] });
  }

  receive(from: string, id: string, msg: Wire): void {
    if (msg.kind === 'COMMIT') this.setStatus('committed');
    else if (msg.kind === 'ABORT') this.setStatus('aborted');
    this.write({ what: 'received', from, id, msg, sent: [] });
  }

  private setStatus(status: Status): void {
    this.status = status;
    // BUG forgetVote: the yes vote stays in memory only.
    if (status === 'prepared' && this.bugs.forgetVote) return;
    this.storage.put('status', status);
  }

  private prepared(): Outgoing {
    return { id: this.ids.next(), to: this.coordinator, msg: { kind: 'PREPARED', rm: this.id } };
  }

  private write(line: Omit<LogLine, 'node' | 'seq' | 'status'>): void {
    this.storage.put('seq', ++this.seq);
    this.env.log({ node: this.id, seq: this.seq, ...line, status: this.status });
    for (const o of line.sent) this.env.send(o);
  }
}
