/**
 * Matching one logged step against the model: which engine actions it stands for in a world,
 * the world after them (the engine's own `step`, no second semantics), and whether what the
 * step logged (its sends, its state fields, its fingerprint, its persisted fields) is what the
 * model produced. A step that does not match says why: the field, the logged value and the
 * model's, or that it waits for a message no step has sent yet.
 */
import type { EventObject } from 'xstate';
import type { Action } from '../engine/actions.js';
import { canonical } from '../engine/canonical.js';
import { enabledActions, step } from '../engine/packed.js';
import { nodeStateFingerprint } from '../engine/fingerprint.js';
import type { Instance } from '../engine/instance.js';
import type { Effect } from '../engine/model.js';
import { nodeKey, type NodeState } from '../engine/node-step.js';
import { nodeViewOf } from '../engine/view.js';
import { envelopeKey, type Envelope, type World } from '../engine/world.js';
import { UsageError } from '../engine/errors.js';
import type { LogStep, LoggedSend } from './log.js';

/** What validation knows from the logs before searching, per node in the instance's order. */
export interface Plan {
  readonly instance: Instance;
  /** Each node's steps (null: the node has no log; what it did is searched for). */
  readonly logs: readonly (readonly LogStep[] | null)[];
  /** Each logged send by message id: who sent it (node index, line index) and the envelope. */
  readonly sendOf: ReadonlyMap<string, { readonly node: number; readonly line: number; readonly envelope: Envelope }>;
  /** Per node and line: an earlier line of the node delivered an identical message (a redelivery needs a duplicate). */
  readonly redelivery: readonly (readonly boolean[])[];
  /** Per node: its environment events may be missing from its log (searched for). */
  readonly unloggedEnv: readonly boolean[];
  /** Lines over all logs. */
  readonly total: number;
  /**
   * Whether the search uses the logs' vector clocks (every line carries `step` and `vc`): a line
   * is matched only after exactly `step - 1` steps of its node (so the number of unlogged steps
   * between two lines is known) and after the steps of every other logged node its `vc` names.
   */
  readonly clocks: boolean;
  /** Environment event types the application decides (application-events.ts): explained whenever the machine takes them. */
  readonly applicationEvents: ReadonlySet<string>;
  /** Per node: the distinct events of those types its log records (what a step whose line was lost may have been, besides what the model offers). */
  readonly applicationEventsLogged: readonly (readonly EventObject[])[];
}

/** One action of a reconstructed run; a late duplicate belongs before the last delivery of its message. */
export interface Move {
  readonly action: Action;
  readonly late?: boolean;
}

/** One way a line is explained: the world after it and the actions it stands for. */
export interface Explanation {
  readonly world: World;
  readonly moves: readonly Move[];
}

export type Match =
  | {
      readonly ok: true;
      readonly world: World;
      readonly moves: readonly Move[];
      /** Other ways the line is explained (a restart with or without a lost step before it): each a branch of the search. */
      readonly others?: readonly Explanation[];
    }
  | {
      readonly ok: false;
      /** The message the step receives was not sent yet: another order may still explain it. */
      readonly waiting: boolean;
      /** What differs: `event`, `sends`, `state.value`, `state.context.<field>`, `fingerprint`, `persisted.<field>`. */
      readonly field: string;
      readonly logged: string;
      /** What the model has there (null: nothing to compare, e.g. the action is not possible). */
      readonly model: string | null;
      readonly reason: string;
    };

export function makePlan(instance: Instance, steps: ReadonlyMap<string, readonly LogStep[]>, logsEnvironment: boolean, useClocks = true, applicationEvents: readonly string[] = []): Plan {
  for (const [node, list] of steps) {
    if (!instance.indexOf.has(node)) {
      throw new UsageError(`${list[0]!.where}: node '${node}' is not a node of ${instance.model.name} with this config (nodes: ${[...instance.indexOf.keys()].join(', ')})`);
    }
  }
  const logs = instance.nodes.map((n) => steps.get(n.id) ?? null);
  const sendOf = new Map<string, { node: number; line: number; envelope: Envelope }>();
  logs.forEach((list, i) =>
    list?.forEach((s, line) => {
      for (const send of s.sends ?? []) {
        if (send.id === null) continue;
        if (sendOf.has(send.id)) throw new UsageError(`${s.where}: message id '${send.id}' is sent a second time (ids are unique in a run)`);
        sendOf.set(send.id, { node: i, line, envelope: { from: instance.nodes[i]!.id, to: send.to, message: send.message } });
      }
    }),
  );
  const redelivery = logs.map((list, i) => {
    const seen = new Set<string>();
    return (list ?? []).map((s) => {
      if (s.event.kind !== 'deliver') return false;
      const key = envelopeKey({ from: s.event.from, to: instance.nodes[i]!.id, message: s.event.message });
      const again = seen.has(key);
      seen.add(key);
      return again;
    });
  });
  const total = logs.reduce((n, list) => n + (list?.length ?? 0), 0);
  const clocks = useClocks && total > 0 && logs.every((list) => list === null || list.every((s) => s.stepNo !== null && s.vc !== null));
  if (clocks) checkClocks(instance, logs);
  const appTypes = new Set(applicationEvents);
  const applicationEventsLogged = logs.map((list) => {
    const seen = new Map<string, EventObject>();
    for (const s of list ?? []) if (s.event.kind === 'env' && appTypes.has(s.event.event.type)) seen.set(canonical(s.event.event), s.event.event);
    return [...seen.values()];
  });
  return { instance, logs, sendOf, redelivery, unloggedEnv: logs.map((l) => l !== null && !logsEnvironment), total, clocks, applicationEvents: appTypes, applicationEventsLogged };
}

/** A log's clocks must agree with its numbering: steps increase, and a step's own vc entry is its number. */
function checkClocks(instance: Instance, logs: readonly (readonly LogStep[] | null)[]): void {
  logs.forEach((list, i) => {
    const id = instance.nodes[i]!.id;
    let last = 0;
    for (const s of list ?? []) {
      if (s.stepNo! <= last) throw new UsageError(`${s.where}: step ${s.stepNo} after step ${last}: a node's steps are numbered in increasing order`);
      if (s.vc![id] !== s.stepNo) throw new UsageError(`${s.where}: vc.${id} is ${s.vc![id] ?? 'missing'}; a step's own entry in its vector clock is its step number (${s.stepNo})`);
      last = s.stepNo!;
    }
  });
}

const fail = (field: string, logged: string, model: string | null, reason: string, waiting = false): Match => ({ ok: false, waiting, field, logged, model, reason });

const sendText = (to: string, message: unknown) => `${to}←${canonical(message)}`;

/** Matches line `line` of node `i`'s log in `world`; `cursors` says how far every log has been matched. */
export function matchStep(plan: Plan, world: World, cursors: readonly number[], i: number, line: number): Match {
  const { instance } = plan;
  const logStep = plan.logs[i]![line]!;
  const spec = instance.nodes[i]!;
  const role = instance.roleOf[i]!;
  const node = world.nodes[i]!;
  const moves: Move[] = [];
  let effects: readonly Effect[] = [];
  let after = world;
  const take = (action: Action, late = false) => {
    moves.push(late ? { action, late } : { action });
    after = step(instance, after, action);
  };
  const ev = logStep.event;
  switch (ev.kind) {
    case 'start':
    case 'recover': {
      if (ev.kind === 'start' && line === 0) {
        // The node's first line: it is in its initial state in the initial world already.
        effects = role.stepper.initial(spec.input).effects;
        break;
      }
      return matchRestart(plan, world, i, logStep);
    }
    case 'crash': {
      if (!node.up) return fail('event', 'crash', 'crashed', 'the node is already down');
      if (world.used.crash >= instance.faults.crash) return fail('event', 'crash', null, `past the configuration's crash bound (${instance.faults.crash})`);
      take({ type: 'crash', node: spec.id });
      break;
    }
    case 'deliver': {
      if (!instance.indexOf.has(ev.from)) return fail('event.from', ev.from, null, `no node '${ev.from}' in the model`);
      let envelope: Envelope = { from: ev.from, to: spec.id, message: ev.message };
      const sent = ev.id === null ? undefined : plan.sendOf.get(ev.id);
      if (sent !== undefined) {
        if (cursors[sent.node]! <= sent.line) return fail('event.id', ev.id!, null, `message ${ev.id} is not sent yet`, true);
        if (sent.envelope.to !== spec.id) return fail('event.id', ev.id!, sent.envelope.to, `message ${ev.id} was sent to ${sent.envelope.to}`);
        if (canonical(sent.envelope.message) !== canonical(ev.message) || sent.envelope.from !== ev.from) {
          return fail('event.message', canonical(ev.message), canonical(sent.envelope.message), `message ${ev.id} differs from what ${sent.envelope.from} logged sending`);
        }
        envelope = sent.envelope;
      }
      if (!node.up) return fail('event', `deliver ${canonical(ev.message)}`, null, 'the node is down (crashed) in every behaviour reaching here');
      const key = envelopeKey(envelope);
      const setNetwork = instance.faults.network === 'set';
      if (!world.network.some((e) => envelopeKey(e) === key)) {
        if (setNetwork || !plan.redelivery[i]![line]) return fail('event.message', canonical(ev.message), null, `no behaviour has sent ${canonical(ev.message)} from ${ev.from} yet`, true);
        if (world.used.duplicate >= instance.faults.duplicate) return fail('event', `deliver ${canonical(ev.message)} again`, null, `a redelivery needs a duplicate, past the configuration's duplicate bound (${instance.faults.duplicate})`);
        take({ type: 'duplicate', from: envelope.from, to: envelope.to, message: envelope.message }, true);
      }
      if (instance.faults.network === 'fifo') {
        // Older messages on the link that the receiver never logs were lost.
        for (const e of after.network.filter((x) => x.from === envelope.from && x.to === envelope.to)) {
          if (envelopeKey(e) === key) break;
          if (after.used.loss >= instance.faults.loss) return fail('event', `deliver ${canonical(ev.message)}`, null, `older messages on the link ${envelope.from}→${envelope.to} come first (fifo), and dropping them is past the loss bound`);
          take({ type: 'drop', from: e.from, to: e.to, message: e.message });
        }
      }
      const result = role.stepper.stepMessage(after.nodes[i]!, envelope.from, envelope.message);
      effects = result.changed ? result.effects : [];
      const before = after;
      const deliver: Action = { type: 'deliver', from: envelope.from, to: envelope.to, message: envelope.message };
      const next = step(instance, after, deliver);
      // On a set network a delivery that changes nothing is not an action (semantics.ts): a no-op here.
      const noop = setNetwork && nodeKey(next.nodes[i]!) === nodeKey(before.nodes[i]!) && next.network.length === before.network.length && next.observations.length === before.observations.length;
      if (!noop) take(deliver);
      break;
    }
    case 'env': {
      if (!node.up) return fail('event', canonical(ev.event), null, 'the node is down (crashed) in every behaviour reaching here');
      const result = role.stepper.step(node, ev.event);
      if (!result.changed) break; // the node ignores it: a no-op the model allows
      const key = canonical(ev.event);
      const offered = plan.applicationEvents.has(ev.event.type) ? null : enabledActions(instance, world).filter((a): a is Extract<Action, { type: 'env' }> => a.type === 'env' && a.node === spec.id);
      if (offered !== null && !offered.some((a) => canonical(a.event) === key)) {
        return fail('event', key, offered.map((a) => canonical(a.event)).join(' | ') || 'none', `the model does not offer ${ev.event.type} to ${spec.id} here`);
      }
      effects = result.effects;
      take({ type: 'env', node: spec.id, event: ev.event });
      break;
    }
  }
  const mismatch = compareLogged(plan, logStep, i, after.nodes[i]!, effects);
  return mismatch ?? { ok: true, world: after, moves };
}

/**
 * A restart line (`recover`, or `start` after the first line). The node restarts from its
 * persisted fields, after the crash no line shows if it is up. One more step of the node may
 * come before that crash: a step whose persisted fields were saved but whose log line was lost
 * (a service saves, then logs, then sends: a kill between the save and the log line leaves a
 * restarted node whose storage is one step ahead of its log). Each way that explains the line
 * is a branch, the restart without a lost step first; when none does, the diagnosis is the one
 * without a lost step (what the logged lines explain).
 */
function matchRestart(plan: Plan, world: World, i: number, logStep: LogStep): Match {
  const { instance } = plan;
  const spec = instance.nodes[i]!;
  const role = instance.roleOf[i]!;
  const restartFrom = (from: World, before: readonly Move[]): Match => {
    const moves = [...before];
    let after = from;
    if (after.nodes[i]!.up) {
      // It died without a line saying so: an unlogged crash.
      if (after.used.crash >= instance.faults.crash) return fail('event', logStep.event.kind, null, `the node restarts while up, and the crash it needs is past the configuration's crash bound (${instance.faults.crash})`);
      moves.push({ action: { type: 'crash', node: spec.id } });
      after = step(instance, after, { type: 'crash', node: spec.id });
    }
    const effects = role.stepper.restart(spec.input, after.nodes[i]!.context).effects;
    moves.push({ action: { type: 'restart', node: spec.id } });
    after = step(instance, after, { type: 'restart', node: spec.id });
    return compareLogged(plan, logStep, i, after.nodes[i]!, effects) ?? { ok: true, world: after, moves };
  };
  const plain = restartFrom(world, []);
  const ways: Explanation[] = plain.ok ? [plain] : [];
  for (const lost of lostSteps(plan, world, i, logStep)) {
    const m = restartFrom(lost.world, [{ action: lost.action }]);
    if (m.ok) ways.push(m);
  }
  if (ways.length === 0) return plain;
  const [first, ...others] = ways;
  return { ok: true, world: first!.world, moves: first!.moves, ...(others.length > 0 ? { others } : {}) };
}

/**
 * The steps node `i` (up) may have taken in `world` whose log line a kill lost: a delivery of a
 * message in flight to it, an environment event the model offers it, or an application event
 * (`applicationPayloads`), that changed a persisted field (only a saved step survives the crash
 * that follows; a step that saved nothing left no trace a restart could show). Its messages are
 * put in flight as the model's step does; a service that sends after logging never sent them,
 * and an undelivered message is a lost one.
 */
function lostSteps(plan: Plan, world: World, i: number, restartLine: LogStep): { readonly action: Action; readonly world: World }[] {
  const { instance } = plan;
  const spec = instance.nodes[i]!;
  const node = world.nodes[i]!;
  if (!node.up) return [];
  const persist = instance.roleOf[i]!.persist;
  const persisted = (state: NodeState) => canonical(persist.map((f) => state.context[f]));
  const before = persisted(node);
  const role = instance.roleOf[i]!;
  // Checked on the node alone first (its step, the crash keeping its persisted fields, its restart
  // against the restart line): a world is stepped only for a step that explains the line.
  const explains = (action: Action): boolean => {
    const result = action.type === 'deliver' ? role.stepper.stepMessage(node, action.from, action.message) : role.stepper.step(node, (action as Extract<Action, { type: 'env' }>).event);
    if (!result.changed || persisted(result.state) === before) return false;
    const durable = Object.fromEntries(persist.filter((f) => f in result.state.context).map((f) => [f, result.state.context[f]]));
    const restarted = role.stepper.restart(spec.input, durable);
    return compareLogged(plan, restartLine, i, restarted.state, restarted.effects) === null;
  };
  const mine = enabledActions(instance, world).filter((a) => (a.type === 'deliver' && a.to === spec.id) || (a.type === 'env' && a.node === spec.id));
  const found = mine.filter(explains);
  // Application payloads depend on the node's state and the line only: checked once per pair (the
  // search may try the line in many worlds, and there may be a thousand payloads).
  const memo = payloadMemo(plan);
  const key = `${i}:${restartLine.where}:${nodeKey(node)}`;
  let payloads = memo.get(key);
  if (payloads === undefined) {
    const offered = mine.flatMap((a) => (a.type === 'env' ? [a.event] : []));
    const tried = new Set(mine.map((a) => canonical(a)));
    payloads = applicationPayloads(plan, i, offered, restartLine)
      .map((event): Action => ({ type: 'env', node: spec.id, event }))
      .filter((a) => !tried.has(canonical(a)) && (tried.add(canonical(a)), explains(a)));
    memo.set(key, payloads);
  }
  return [...found, ...payloads].map((action) => ({ action, world: step(instance, world, action) }));
}

const payloadMemos = new WeakMap<Plan, Map<string, Action[]>>();
function payloadMemo(plan: Plan): Map<string, Action[]> {
  let memo = payloadMemos.get(plan);
  if (memo === undefined) payloadMemos.set(plan, (memo = new Map()));
  return memo;
}

/** The most values `applicationPayloads` takes from a restart line's persisted fields. */
const MAX_PAYLOAD_VALUES = 1_000;

/**
 * Application events (`--app-events`) node `i` may have taken in a lost step. Their payloads are
 * the application's, so they cannot be listed; two sources are tried: the events of those types
 * the node's log records, and each such event (or one the model offers) with one field's value
 * replaced by a value the restart line shows persisted (a client's command the lost step wrote to
 * the node's log is in the persisted log the node restarted with). The machine and the restart
 * line's comparison decide; at most MAX_PAYLOAD_VALUES values are taken.
 */
function applicationPayloads(plan: Plan, i: number, offered: readonly EventObject[], restartLine: LogStep): EventObject[] {
  if (plan.applicationEvents.size === 0) return [];
  const logged = plan.applicationEventsLogged[i]!;
  // One sample per event shape (type and field names): the field replaced, the rest hardly matters.
  const shapes = new Map<string, EventObject>();
  for (const e of [...logged, ...offered.filter((o) => plan.applicationEvents.has(o.type))]) shapes.set(`${e.type}|${Object.keys(e).sort().join(',')}`, e);
  const samples = [...shapes.values()];
  const values = restartLine.persisted === null ? [] : leafValues(restartLine.persisted, MAX_PAYLOAD_VALUES);
  const events: EventObject[] = [...logged];
  for (const sample of samples) {
    for (const field of Object.keys(sample)) {
      if (field === 'type') continue;
      for (const value of values) if (typeof value === typeof sample[field as keyof EventObject]) events.push({ ...sample, [field]: value });
    }
  }
  return events;
}

/**
 * The distinct strings and numbers inside `value`, at most `limit`, a list's last items first (a
 * lost step appends: its value is at the end). No spread: a hostile line may hold a huge list.
 */
function leafValues(value: unknown, limit: number): (string | number)[] {
  const found = new Set<string | number>();
  const stack: unknown[] = [value];
  while (stack.length > 0 && found.size < limit) {
    const v = stack.pop();
    if (typeof v === 'string' || typeof v === 'number') found.add(v);
    else if (v !== null && typeof v === 'object') for (const item of Array.isArray(v) ? v : Object.values(v)) stack.push(item);
  }
  return [...found];
}

/** A logged field's canonical text, computed once per line (a restart line may be compared in many worlds, and its fields may be large). */
const loggedTexts = new WeakMap<object, Map<string, string>>();
function loggedText(record: Readonly<Record<string, unknown>>, field: string): string {
  let texts = loggedTexts.get(record);
  if (texts === undefined) loggedTexts.set(record, (texts = new Map()));
  let text = texts.get(field);
  if (text === undefined) texts.set(field, (text = canonical(record[field])));
  return text;
}

/** The first thing the step logged that differs from the model's step, or null. */
function compareLogged(plan: Plan, logStep: LogStep, i: number, state: NodeState, effects: readonly Effect[]): Match | null {
  if (logStep.sends !== null) {
    const model = effects.filter((e) => e.type === 'send').map((e) => sendText(e.to, e.message)).sort();
    const logged = logStep.sends.map((s: LoggedSend) => sendText(s.to, s.message)).sort();
    if (model.join('\n') !== logged.join('\n')) return fail('sends', `[${logged.join(', ')}]`, `[${model.join(', ')}]`, 'the step sent other messages than the model');
  }
  if (logStep.state !== null) {
    if ('value' in logStep.state && canonical(logStep.state.value) !== canonical(state.value)) {
      return fail('state.value', canonical(logStep.state.value), canonical(state.value), 'the node is in another state');
    }
    for (const field of Object.keys(logStep.state.context ?? {})) {
      const model = Object.hasOwn(state.context, field) ? canonical(state.context[field]) : null;
      if (model !== loggedText(logStep.state.context!, field)) return fail(`state.context.${field}`, loggedText(logStep.state.context!, field), model ?? '(no such field)', `field ${field} differs`);
    }
  }
  if (logStep.persisted !== null) {
    const persist = plan.instance.roleOf[i]!.persist;
    for (const [field, value] of Object.entries(logStep.persisted)) {
      if (!persist.includes(field)) return fail(`persisted.${field}`, canonical(value), null, `the model does not persist ${field} (it persists: ${persist.join(', ') || 'nothing'})`);
      const model = canonical(state.context[field]);
      if (model !== loggedText(logStep.persisted, field)) return fail(`persisted.${field}`, loggedText(logStep.persisted, field), model, `persisted field ${field} differs`);
    }
  }
  // Last: a fingerprint says only that something differs; the fields above say what.
  if (logStep.fingerprint !== null) {
    const model = nodeStateFingerprint(state);
    if (model !== logStep.fingerprint) return fail('fingerprint', logStep.fingerprint, model, `the node state differs (model: ${canonical(state.value)} ${canonical(state.context)})`);
  }
  return null;
}

/** The most node states `couldExplain` looks at. */
const LOCAL_LIMIT = 64;

/**
 * Whether node `i`, now in `state`, could still explain line `line` of its log: by its step on
 * the line's event from `state` or from a state its own unlogged environment events lead to (the
 * only things that change a node between two of its logged lines), the message assumed in
 * flight. False prunes a search branch that no later order of the other nodes can save.
 */
export function couldExplain(plan: Plan, world: World, i: number, line: number): boolean {
  const { instance } = plan;
  const logStep = plan.logs[i]![line]!;
  const ev = logStep.event;
  if (ev.kind !== 'deliver' && ev.kind !== 'env') return true;
  const role = instance.roleOf[i]!;
  const spec = instance.nodes[i]!;
  const inbox = world.network.filter((e) => e.to === spec.id);
  const states: NodeState[] = [world.nodes[i]!];
  const seen = new Set([nodeKey(states[0]!)]);
  for (let k = 0; k < states.length && k < LOCAL_LIMIT; k++) {
    const state = states[k]!;
    if (!state.up) return true;
    const result = ev.kind === 'deliver' ? role.stepper.stepMessage(state, ev.from, ev.message) : role.stepper.step(state, ev.event);
    if (compareLogged(plan, logStep, i, result.changed ? result.state : state, result.changed ? result.effects : []) === null) return true;
    if (!plan.unloggedEnv[i]) continue;
    const view = nodeViewOf(instance, i, state);
    for (const event of role.environment(view, instance.params, inbox)) {
      const next = role.stepper.step(state, event);
      if (next.changed && !seen.has(nodeKey(next.state))) {
        seen.add(nodeKey(next.state));
        states.push(next.state);
      }
    }
  }
  return states.length >= LOCAL_LIMIT;
}
