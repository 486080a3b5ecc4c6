/**
 * What the hand-written services share: their wire messages (their own format, not the model's),
 * the storage that survives a crash, and the log line each writes when it does something.
 */

/** Messages on the wire, as this implementation spells them. */
export type Wire = { readonly kind: 'PREPARED'; readonly rm: string } | { readonly kind: 'COMMIT' } | { readonly kind: 'ABORT' };

/** A message leaving a service, with its id (`<sender>:<incarnation>:<n>`). */
export interface Outgoing {
  readonly id: string;
  readonly to: string;
  readonly msg: Wire;
}

/** Durable storage: what a restarted service finds. One per service; it outlives the process. */
export class Storage {
  private readonly data = new Map<string, unknown>();
  get<T>(key: string): T | undefined {
    return this.data.get(key) as T | undefined;
  }
  put(key: string, value: unknown): void {
    this.data.set(key, value);
  }
}

/**
 * One log line of a service: what happened (`what`), the message it received, what it sent, and
 * the one or two fields an operator would want (the coordinator's decision, a participant's status).
 */
export interface LogLine {
  readonly node: string;
  readonly seq: number;
  readonly what: 'started' | 'recovered' | 'received' | 'timeout' | 'decide' | 'vote-yes' | 'vote-no';
  readonly from?: string;
  readonly id?: string;
  readonly msg?: Wire;
  readonly sent: readonly Outgoing[];
  readonly decision?: 'commit' | 'abort' | null;
  readonly status?: 'working' | 'prepared' | 'committed' | 'aborted';
}

/** Where a service writes its log lines and puts its messages on the network. */
export interface Environment {
  readonly log: (line: LogLine) => void;
  readonly send: (out: Outgoing) => void;
}

/** Message ids: `<node>:<incarnation>:<n>`, the incarnation kept in storage so ids stay unique across restarts. */
export class Ids {
  private n = 0;
  readonly incarnation: number;
  constructor(
    private readonly node: string,
    storage: Storage,
  ) {
    this.incarnation = (storage.get<number>('incarnation') ?? 0) + 1;
    storage.put('incarnation', this.incarnation);
  }
  next(): string {
    return `${this.node}:${this.incarnation}:${++this.n}`;
  }
}
