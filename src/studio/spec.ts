/**
 * What one request names, and what the page's address holds: the model, its configuration,
 * mutant and faults, and the path walked from the initial world as indices into the enabled
 * actions of each step. A link with these reproduces the exact world for anyone with the model.
 * Everything comes from outside, so each part is checked here and a bad one is a UsageError.
 */
import { UsageError } from '../engine/errors.js';
import { FAULT_KINDS, parseFaults, type FaultSettings, type NetworkSemantics } from '../engine/faults.js';
import { resolveInstance, type Instance } from '../engine/instance.js';
import type { Suite } from '../properties/suite.js';

/** Longest path a request may name: far past any hand-walked or found path, short of a memory problem. */
export const MAX_PATH = 5_000;
const MAX_CONFIG_PAIRS = 32;
const MAX_FAULT_BOUND = 1_000;
const NETWORKS: readonly NetworkSemantics[] = ['unordered', 'fifo', 'set'];

export interface Spec {
  readonly model: string;
  /** `key=value` pairs, as `--config` takes them. */
  readonly config: readonly string[];
  readonly mutant: string | null;
  /** `loss=2,crash=1` or `none`, as `--faults` takes it; null keeps the model's (or its preset's). */
  readonly faults: string | null;
  /** null keeps the model's network semantics. */
  readonly network: NetworkSemantics | null;
  readonly path: readonly number[];
}

/** The spec named by a request's query (or the page's address). */
export function specOf(query: URLSearchParams, suites: readonly Suite[]): Spec {
  const model = query.get('model') ?? '';
  if (!suites.some((s) => s.model.name === model)) {
    throw new UsageError(`unknown model '${model}' (accepted: ${suites.map((s) => s.model.name).join(', ')})`);
  }
  const config = query.getAll('config').filter((c) => c !== '');
  if (config.length > MAX_CONFIG_PAIRS) throw new UsageError(`too many config pairs (at most ${MAX_CONFIG_PAIRS})`);
  const mutant = query.get('mutant') || null;
  const faults = query.get('faults') || null;
  const network = query.get('network') || null;
  if (network !== null && !NETWORKS.includes(network as NetworkSemantics)) throw new UsageError(`unknown network '${network}' (accepted: ${NETWORKS.join(', ')})`);
  return { model, config, mutant, faults, network: network as NetworkSemantics | null, path: pathOf(query.get('path') ?? '') };
}

/** `3.0.12` → [3, 0, 12]; the empty string is the empty path. */
export function pathOf(text: string): number[] {
  if (text === '') return [];
  if (text.length > MAX_PATH * 6) throw new UsageError(`the path is longer than ${MAX_PATH} steps`);
  const parts = text.split('.');
  if (parts.length > MAX_PATH) throw new UsageError(`the path is longer than ${MAX_PATH} steps`);
  return parts.map((part, k) => {
    if (!/^\d{1,5}$/.test(part)) throw new UsageError(`path step ${k + 1}: '${part.slice(0, 20)}' is not an action number`);
    return Number(part);
  });
}

/** The query that names `spec` (the page's address holds the same). */
export function searchOf(spec: Spec): URLSearchParams {
  const query = new URLSearchParams({ model: spec.model });
  for (const pair of spec.config) query.append('config', pair);
  if (spec.mutant !== null) query.set('mutant', spec.mutant);
  if (spec.faults !== null) query.set('faults', spec.faults);
  if (spec.network !== null) query.set('network', spec.network);
  query.set('path', spec.path.join('.'));
  return query;
}

/** `--faults` text of fault settings: `loss=2,crash=1`, or `none`. */
export function faultsText(faults: FaultSettings): string {
  const on = FAULT_KINDS.filter((k) => faults[k] > 0).map((k) => `${k}=${faults[k]}`);
  return on.length ? on.join(',') : 'none';
}

export function suiteOf(suites: readonly Suite[], spec: Spec): Suite {
  return suites.find((s) => s.model.name === spec.model)!;
}

/** The instance `spec` runs on (config, preset, mutant and faults resolved as `check` does). */
export function instanceOf(suite: Suite, spec: Spec): Instance {
  const config = new Map<string, string>();
  for (const pair of spec.config) {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1) throw new UsageError(`config takes key=value (e.g. nodes=3), not '${pair.slice(0, 40)}'`);
    const key = pair.slice(0, at).trim();
    if (config.has(key)) throw new UsageError(`config ${key} is given twice`);
    config.set(key, pair.slice(at + 1).trim());
  }
  const model = suite.model;
  const pairs = Object.fromEntries(config);
  let faults: FaultSettings | undefined;
  if (spec.faults !== null) {
    faults = parseFaults(spec.faults, spec.network ?? model.faults.network);
    for (const kind of FAULT_KINDS) if (faults[kind] > MAX_FAULT_BOUND) throw new UsageError(`fault bound ${kind}=${faults[kind]} is too large (accepted: 0..${MAX_FAULT_BOUND})`);
  } else if (spec.network !== null) {
    // Another network, the bounds of the model (or of its preset) kept.
    faults = { ...resolveInstance(model, { config: pairs }).faults, network: spec.network };
  }
  return resolveInstance(model, { config: pairs, mutant: spec.mutant, faults });
}
