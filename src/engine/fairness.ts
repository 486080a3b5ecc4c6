/**
 * Fairness: which actions a fair behaviour may not neglect forever (weak fairness, as TLA+'s
 * WF): an action class that is enabled in every state from some point on must be taken
 * infinitely often. The model declares it (`Model.fairness`); this module maps each action to
 * its class, a string, or null when the action is not fair:
 *
 * - deliver: one class per message (sender, receiver, content): a message that is not lost and
 *   stays deliverable is eventually delivered. Fair by default.
 * - env: one class per (node, event type), fair only when the model lists the event for the
 *   node's role (a Timeout, a Retry; not a client request).
 * - restart: one class per node, fair unless the model says that node's crashes are permanent.
 * - heal: one class, fair by default (partitions end).
 * - drop, duplicate, crash, partition: faults, never fair. They are bounded per run, so every
 *   behaviour is fair after its last fault.
 */
import type { Action } from './actions.js';
import { canonical } from './canonical.js';
import type { Instance } from './instance.js';
import { DELIVER, ENV, HEAL, RESTART, type Packed } from './packed.js';

/** Actions that are faults: what deadlock detection ignores and fairness never requires. */
export function isFault(action: Action): boolean {
  return action.type === 'drop' || action.type === 'duplicate' || action.type === 'crash' || action.type === 'partition';
}

interface FairnessTable {
  readonly delivery: boolean;
  readonly heal: boolean;
  /** Per node index: fair event types, and whether restarts are fair. */
  readonly events: readonly ReadonlySet<string>[];
  readonly restart: readonly boolean[];
  /** Classes of action objects already seen (actions are memoised by the engine, so this hits). */
  readonly memo: WeakMap<Action, string | null>;
}

const tables = new WeakMap<Instance, FairnessTable>();

function tableOf(instance: Instance): FairnessTable {
  let table = tables.get(instance);
  if (table === undefined) {
    const f = instance.model.fairness ?? {};
    table = {
      delivery: f.delivery ?? true,
      heal: f.heal ?? true,
      events: instance.nodes.map((n) => new Set(f.events?.[n.role] ?? [])),
      restart: instance.nodes.map((n) => f.restart?.(n, instance.params) ?? true),
      memo: new WeakMap(),
    };
    tables.set(instance, table);
  }
  return table;
}

/** The fairness class of `action` on `instance`, or null when the action is not fair. */
export function fairnessClass(instance: Instance, action: Action): string | null {
  const table = tableOf(instance);
  const known = table.memo.get(action);
  if (known !== undefined) return known;
  const computed = classOf(instance, table, action);
  table.memo.set(action, computed);
  return computed;
}

function classOf(instance: Instance, table: FairnessTable, action: Action): string | null {
  switch (action.type) {
    case 'deliver':
      return table.delivery ? `deliver ${canonical([action.from, action.to, action.message])}` : null;
    case 'env': {
      const i = instance.indexOf.get(action.node);
      return i !== undefined && table.events[i]!.has(action.event.type) ? `env ${action.node} ${action.event.type}` : null;
    }
    case 'restart': {
      const i = instance.indexOf.get(action.node);
      return i !== undefined && table.restart[i] ? `restart ${action.node}` : null;
    }
    case 'heal':
      return table.heal ? 'heal' : null;
    case 'drop':
    case 'duplicate':
    case 'crash':
    case 'partition':
      return null;
  }
}

/** Interns fairness classes as small integers (−1: not fair), for compact per-edge storage. */
export class FairnessClasses {
  private readonly ids = new Map<string, number>();
  readonly names: string[] = [];
  private readonly memo = new WeakMap<Action, number>();

  constructor(private readonly instance: Instance) {}

  idOf(action: Action): number {
    const known = this.memo.get(action);
    if (known !== undefined) return known;
    const name = fairnessClass(this.instance, action);
    let id = -1;
    if (name !== null) {
      id = this.ids.get(name) ?? -1;
      if (id < 0) {
        id = this.names.length;
        this.ids.set(name, id);
        this.names.push(name);
      }
    }
    this.memo.set(action, id);
    return id;
  }

  get size(): number {
    return this.names.length;
  }
}

/**
 * The fairness class ids of a packing's listed actions (`packed.kinds`/`args`/`eventOf`), kept
 * per envelope id, per (node, event id) and per node: a look-up in an array per edge of the
 * search, where `FairnessClasses.idOf` would make the action object and find it in a WeakMap.
 */
export class ListedFairness {
  private deliver: Int32Array<ArrayBuffer> = new Int32Array(256).fill(UNKNOWN);
  private readonly env: Int32Array<ArrayBuffer>[];
  private readonly restart: Int32Array;
  private heal = UNKNOWN;

  constructor(
    private readonly classes: FairnessClasses,
    private readonly packed: Packed,
  ) {
    this.env = Array.from({ length: packed.n }, () => new Int32Array(64).fill(UNKNOWN));
    this.restart = new Int32Array(packed.n).fill(UNKNOWN);
  }

  /** The class id (−1: not fair) of the last listing's action `a`. */
  of(a: number): number {
    const packed = this.packed;
    const arg = packed.args[a]!;
    switch (packed.kinds[a]) {
      case DELIVER: {
        if (arg >= this.deliver.length) this.deliver = widened(this.deliver, arg);
        const known = this.deliver[arg]!;
        return known !== UNKNOWN ? known : (this.deliver[arg] = this.classes.idOf(packed.actionAt(a)));
      }
      case ENV: {
        const ev = packed.eventOf[a]!;
        let byEvent = this.env[arg]!;
        if (ev >= byEvent.length) this.env[arg] = byEvent = widened(byEvent, ev);
        const known = byEvent[ev]!;
        return known !== UNKNOWN ? known : (byEvent[ev] = this.classes.idOf(packed.actionAt(a)));
      }
      case RESTART: {
        const known = this.restart[arg]!;
        return known !== UNKNOWN ? known : (this.restart[arg] = this.classes.idOf(packed.actionAt(a)));
      }
      case HEAL:
        return this.heal !== UNKNOWN ? this.heal : (this.heal = this.classes.idOf(packed.actionAt(a)));
      default:
        return -1; // faults are never fair
    }
  }
}

const UNKNOWN = -2;

/** `a` grown to hold index `i`, new entries UNKNOWN. */
function widened(a: Int32Array, i: number): Int32Array<ArrayBuffer> {
  const bigger = new Int32Array(Math.max(i + 1, a.length * 2)).fill(UNKNOWN);
  bigger.set(a);
  return bigger;
}
