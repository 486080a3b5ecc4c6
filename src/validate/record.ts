/**
 * Recording a run of the model itself as `protokit-log/1` logs, one per node: what a recorder
 * running the checked machines writes (every step, with its sends, state and fingerprint). It
 * gives validation's tests and bench logs whose verdict is known, and shows the format by example.
 */
import type { Action } from '../engine/actions.js';
import type { Instance } from '../engine/instance.js';
import type { Effect } from '../engine/model.js';
import { enabledActions, initialWorld, step } from '../engine/packed.js';
import { nodeStateFingerprint } from '../engine/fingerprint.js';
import { envelopeKey, type World } from '../engine/world.js';
import { KIT_VERSION } from '../engine/version.js';
import { LOG_FORMAT } from './log.js';

export interface RecordOptions {
  /** Write environment events (default true); false: only message, start, crash and recover lines. */
  readonly environment?: boolean;
  /** Write each step's state and fingerprint (default true). */
  readonly state?: boolean;
  /** Write a `crash` line when a node crashes (default true; a real service cannot log its own death). */
  readonly crashes?: boolean;
  /** Write each step's vector clock `vc` as the runtime does (default false). */
  readonly clocks?: boolean;
}

/** The log lines (JSON objects, header first) of each node for the run `actions` from the initial world. */
export function recordRun(instance: Instance, actions: readonly Action[], options: RecordOptions = {}): Map<string, object[]> {
  const logs = new Map<string, object[]>();
  const stepNo = new Map<string, number>();
  const incarnation = new Map<string, number>();
  const sent = new Map<string, number>();
  /** Each node's vector clock, and each message's sender clock (by message id). */
  const vcOf = new Map<string, Record<string, number>>();
  const sentVc = new Map<string, Record<string, number>>();
  /** The ids of the messages in flight, per envelope key, oldest first. */
  const inFlight = new Map<string, string[]>();
  instance.nodes.forEach((n) => {
    logs.set(n.id, [{ format: LOG_FORMAT, model: instance.model.name, config: { ...instance.params }, mutant: instance.mutant, node: n.id, role: n.role, kit: KIT_VERSION }]);
    stepNo.set(n.id, 0);
    vcOf.set(n.id, {});
    incarnation.set(n.id, 1);
    sent.set(n.id, 0);
  });
  const write = (node: string, event: object, effects: readonly Effect[], world: World, environment = true) => {
    // The clock after the step: merged with the sender's for a delivery, own entry the step's number.
    const vc = vcOf.get(node)!;
    const received = (event as { kind: string; id?: string }).kind === 'deliver' ? sentVc.get((event as { id: string }).id) : undefined;
    for (const [n, c] of Object.entries(received ?? {})) vc[n] = Math.max(vc[n] ?? 0, c);
    vc[node] = stepNo.get(node)! + 1;
    const sends = effects.flatMap((e) => {
      if (e.type !== 'send') return [];
      const n = sent.get(node)! + 1;
      sent.set(node, n);
      const id = `${node}:${incarnation.get(node)}:${n}`;
      const key = envelopeKey({ from: node, to: e.to, message: e.message });
      if (instance.faults.network !== 'set' || !inFlight.has(key)) inFlight.set(key, [...(inFlight.get(key) ?? []), id]);
      sentVc.set(id, { ...vc });
      return [{ id, to: e.to, message: e.message }];
    });
    const i = instance.indexOf.get(node)!;
    const state = world.nodes[i]!;
    const no = stepNo.get(node)! + 1;
    stepNo.set(node, no);
    if (!environment) return;
    const extra = options.state === false ? {} : { fingerprint: nodeStateFingerprint(state), state: { value: state.value, context: state.context } };
    logs.get(node)!.push({ step: no, event, ...extra, sends, ...(options.clocks ? { vc: { ...vc } } : {}) });
  };
  let world = initialWorld(instance);
  instance.nodes.forEach((n, i) => write(n.id, { kind: 'start' }, instance.roleOf[i]!.stepper.initial(n.input).effects, world));
  for (const action of actions) {
    const before = world;
    world = step(instance, world, action);
    switch (action.type) {
      case 'deliver': {
        const i = instance.indexOf.get(action.to)!;
        const key = envelopeKey(action);
        const ids = inFlight.get(key) ?? [];
        const id = ids[0]!;
        if (instance.faults.network !== 'set') inFlight.set(key, ids.slice(1));
        const result = instance.roleOf[i]!.stepper.stepMessage(before.nodes[i]!, action.from, action.message);
        write(action.to, { kind: 'deliver', id, from: action.from, message: action.message }, result.changed ? result.effects : [], world);
        break;
      }
      case 'env': {
        const i = instance.indexOf.get(action.node)!;
        write(action.node, { kind: 'env', event: action.event }, instance.roleOf[i]!.stepper.step(before.nodes[i]!, action.event).effects, world, options.environment !== false);
        break;
      }
      case 'duplicate': {
        const key = envelopeKey(action);
        inFlight.set(key, [...(inFlight.get(key) ?? []), inFlight.get(key)![0]!]);
        break;
      }
      case 'drop': {
        const key = envelopeKey(action);
        inFlight.set(key, inFlight.get(key)!.slice(1));
        break;
      }
      case 'crash':
        if (options.crashes !== false) write(action.node, { kind: 'crash' }, [], world);
        break;
      case 'restart': {
        const i = instance.indexOf.get(action.node)!;
        incarnation.set(action.node, incarnation.get(action.node)! + 1);
        write(action.node, { kind: 'recover' }, instance.roleOf[i]!.stepper.restart(instance.nodes[i]!.input, before.nodes[i]!.context).effects, world);
        break;
      }
      default:
        break;
    }
  }
  return logs;
}

/** A log's lines as NDJSON text. */
export function ndjson(lines: readonly object[]): string {
  return lines.map((l) => JSON.stringify(l)).join('\n') + '\n';
}

/** A seeded random run of `length` actions (no partitions: a recorded run never shows one), for tests and the bench. */
export function randomRun(instance: Instance, seed: number, length: number): Action[] {
  let s = seed >>> 0 || 1;
  const next = () => ((s = (Math.imul(s, 1103515245) + 12345) >>> 0), s >>> 8);
  let world = initialWorld(instance);
  const actions: Action[] = [];
  for (let k = 0; k < length; k++) {
    const enabled = enabledActions(instance, world).filter((a) => a.type !== 'partition' && a.type !== 'heal');
    if (enabled.length === 0) break;
    const a = enabled[next() % enabled.length]!;
    actions.push(a);
    world = step(instance, world, a);
  }
  return actions;
}
