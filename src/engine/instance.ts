/**
 * An instance is a model made concrete for one run: parameters parsed and checked, a preset and
 * a mutant applied, the cluster laid out and the fault settings fixed. Everything the engine does
 * takes an instance; nothing in it changes during a run.
 */
import type { AnyStateMachine, EventObject } from 'xstate';
import type { InboxMessage, Model, NodeSpec, NodeView, ParamValue, Params } from './model.js';
import { type FaultSettings } from './faults.js';
import { UsageError } from './errors.js';
import { NodeStepper } from './node-step.js';

export interface ResolvedRole {
  readonly name: string;
  readonly machine: AnyStateMachine;
  readonly persist: readonly string[];
  readonly environment: (node: NodeView, params: Params, inbox: readonly InboxMessage[]) => readonly EventObject[];
  readonly stepper: NodeStepper;
}

export interface Instance {
  readonly model: Model;
  readonly params: Params;
  readonly preset: string | null;
  readonly mutant: string | null;
  readonly faults: FaultSettings;
  readonly nodes: readonly NodeSpec[];
  readonly roleOf: readonly ResolvedRole[];
  readonly indexOf: ReadonlyMap<string, number>;
}

export interface InstanceOptions {
  /** `--config key=value` pairs, as strings or already typed values. */
  readonly config?: Readonly<Record<string, string | ParamValue>>;
  readonly preset?: string | null;
  readonly mutant?: string | null;
  /** Overrides the preset's and the model's fault settings. */
  readonly faults?: FaultSettings;
}

/** The reserved config key that selects a named configuration, e.g. `--config preset=tla`. */
export const PRESET_KEY = 'preset';

export function resolveInstance(model: Model, options: InstanceOptions = {}): Instance {
  const config = { ...(options.config ?? {}) };
  let presetName = options.preset ?? null;
  // Own properties only, here and below: `__proto__`, `constructor` or `toString` are unknown names.
  if (Object.hasOwn(config, PRESET_KEY)) {
    presetName = String(config[PRESET_KEY]);
    delete config[PRESET_KEY];
  }
  const presets = model.presets ?? {};
  if (presetName !== null && !Object.hasOwn(presets, presetName)) {
    const names = Object.keys(presets);
    throw new UsageError(`unknown preset '${presetName}' for ${model.name} (accepted: ${names.length ? names.join(', ') : 'none'})`);
  }
  const preset = presetName === null ? undefined : presets[presetName];

  const params: Record<string, ParamValue> = {};
  for (const [key, spec] of Object.entries(model.params)) params[key] = spec.default;
  Object.assign(params, preset?.params ?? {});
  for (const [key, raw] of Object.entries(config)) params[key] = parseParam(model, key, raw);

  const mutantName = options.mutant ?? null;
  const mutant = mutantName === null || !Object.hasOwn(model.mutants, mutantName) ? undefined : model.mutants[mutantName];
  if (mutantName !== null && mutant === undefined) {
    const names = Object.keys(model.mutants);
    throw new UsageError(`unknown mutant '${mutantName}' for ${model.name} (accepted: ${names.join(', ') || 'none'})`);
  }

  const faults: FaultSettings = options.faults ?? { ...model.faults, ...(preset?.faults ?? {}) };

  const roles = new Map<string, ResolvedRole>();
  for (const [name, spec] of Object.entries(model.roles)) {
    const override = (mutant && Object.hasOwn(mutant.roles, name) ? mutant.roles[name] : undefined) ?? {};
    const machine = override.machine ?? spec.machine;
    roles.set(name, {
      name,
      machine,
      persist: override.persist ?? spec.persist,
      environment: spec.environment ?? (() => []),
      stepper: new NodeStepper(machine),
    });
  }

  const nodes = model.nodes(params);
  const indexOf = new Map<string, number>();
  nodes.forEach((n, i) => {
    if (indexOf.has(n.id)) throw new Error(`model ${model.name}: two nodes are named '${n.id}'`);
    if (!roles.has(n.role)) throw new Error(`model ${model.name}: node '${n.id}' has unknown role '${n.role}'`);
    indexOf.set(n.id, i);
  });
  return {
    model,
    params,
    preset: presetName,
    mutant: mutantName,
    faults,
    nodes,
    roleOf: nodes.map((n) => roles.get(n.role)!),
    indexOf,
  };
}

function parseParam(model: Model, key: string, raw: string | ParamValue): ParamValue {
  const spec = Object.hasOwn(model.params, key) ? model.params[key] : undefined;
  if (spec === undefined) {
    const keys = [...Object.keys(model.params), PRESET_KEY];
    throw new UsageError(`unknown config key '${key}' for ${model.name} (accepted: ${keys.join(', ')})`);
  }
  if (typeof spec.default === 'number') {
    const value = typeof raw === 'number' ? raw : /^-?\d+$/.test(String(raw).trim()) ? Number(raw) : NaN;
    if (!Number.isSafeInteger(value)) throw new UsageError(`config ${key}=${raw}: expected a whole number`);
    if ((spec.min !== undefined && value < spec.min) || (spec.max !== undefined && value > spec.max)) {
      throw new UsageError(`config ${key}=${raw}: out of range (accepted: ${spec.min ?? '-∞'}..${spec.max ?? '∞'})`);
    }
    return value;
  }
  if (typeof spec.default === 'boolean') {
    if (raw === true || raw === 'true') return true;
    if (raw === false || raw === 'false') return false;
    throw new UsageError(`config ${key}=${raw}: expected true or false`);
  }
  const value = String(raw);
  if (spec.choices && !spec.choices.includes(value)) {
    throw new UsageError(`config ${key}=${raw}: not accepted (accepted: ${spec.choices.join(', ')})`);
  }
  return value;
}
