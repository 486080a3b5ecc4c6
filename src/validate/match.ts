/**
 * Matching one logged step against the model: which engine actions it stands for in a world,
 * the world after them (the engine's own `step`, no second semantics), and whether what the
 * step logged (its sends, its state fields, its fingerprint, its persisted fields) is what the
 * model produced. A step that does not match says why: the field, the logged value and the
 * model's, or that it waits for a message no step has sent yet.
 */
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
}

/** One action of a reconstructed run; a late duplicate belongs before the last delivery of its message. */
export interface Move {
  readonly action: Action;
  readonly late?: boolean;
}

export type Match =
  | { readonly ok: true; readonly world: World; readonly moves: readonly Move[] }
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
  return { instance, logs, sendOf, redelivery, unloggedEnv: logs.map((l) => l !== null && !logsEnvironment), total, clocks, applicationEvents: new Set(applicationEvents) };
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
      if (node.up) {
        // It died without a line saying so: an unlogged crash.
        if (world.used.crash >= instance.faults.crash) return fail('event', ev.kind, null, `the node restarts while up, and the crash it needs is past the configuration's crash bound (${instance.faults.crash})`);
        take({ type: 'crash', node: spec.id });
      }
      effects = role.stepper.restart(spec.input, after.nodes[i]!.context).effects;
      take({ type: 'restart', node: spec.id });
      break;
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
    for (const [field, value] of Object.entries(logStep.state.context ?? {})) {
      const model = Object.hasOwn(state.context, field) ? canonical(state.context[field]) : null;
      if (model !== canonical(value)) return fail(`state.context.${field}`, canonical(value), model ?? '(no such field)', `field ${field} differs`);
    }
  }
  if (logStep.persisted !== null) {
    const persist = plan.instance.roleOf[i]!.persist;
    for (const [field, value] of Object.entries(logStep.persisted)) {
      if (!persist.includes(field)) return fail(`persisted.${field}`, canonical(value), null, `the model does not persist ${field} (it persists: ${persist.join(', ') || 'nothing'})`);
      const model = canonical(state.context[field]);
      if (model !== canonical(value)) return fail(`persisted.${field}`, canonical(value), model, `persisted field ${field} differs`);
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
