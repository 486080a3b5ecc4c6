/**
 * Checks a model and its suite when they load, so that a user's slip is one clear line (a
 * UsageError, exit 2) instead of a run that silently tests something else: mutant role keys that
 * name no role, persisted fields the role's context does not have, a mutant whose `breaks` names
 * no property, two properties with one name, a mutant that changes nothing; a budget whose
 * numbers are not whole numbers in range (`runs: NaN` would otherwise run nothing and pass).
 */
import { initialTransition, type AnyStateMachine } from 'xstate';
import { UsageError } from '../engine/errors.js';
import type { Model, NodeSpec } from '../engine/model.js';
import type { Property } from './properties.js';

export function validateSuite(model: Model, properties: readonly Property[]): void {
  const where = `suite ${model.name}`;
  // Checked here too: defineSuite runs when the user's module is imported, before the loader's shape check.
  if (model.mutants === null || typeof model.mutants !== 'object') {
    throw new UsageError(`${where}: model.mutants must be an object (write \`mutants: {}\` for a model with no mutants)`);
  }
  const names = new Set<string>();
  for (const p of properties) {
    if (names.has(p.name)) throw new UsageError(`${where}: two properties are named '${p.name}'`);
    names.add(p.name);
  }
  const roles = Object.keys(model.roles);
  const firstNode = firstNodes(model);
  for (const [role, spec] of Object.entries(model.roles)) checkPersist(model, role, spec.machine, spec.persist, firstNode.get(role), '');
  for (const [name, mutant] of Object.entries(model.mutants)) {
    const at = `${where}: mutant '${name}'`;
    if (!names.has(mutant.breaks)) {
      throw new UsageError(`${at} breaks '${mutant.breaks}', which is not a property of the suite (properties: ${[...names].join(', ')})`);
    }
    let changes = false;
    for (const [role, override] of Object.entries(mutant.roles)) {
      const base = model.roles[role];
      if (base === undefined) throw new UsageError(`${at} changes role '${role}', which ${model.name} does not have (roles: ${roles.join(', ')})`);
      const machine = override.machine ?? base.machine;
      const persist = override.persist ?? base.persist;
      if (machine !== base.machine || !sameFields(persist, base.persist)) changes = true;
      checkPersist(model, role, machine, persist, firstNode.get(role), ` in mutant '${name}'`);
    }
    if (!changes) throw new UsageError(`${at} changes nothing: give a role a different machine or persist list (roles: { ${roles[0] ?? 'role'}: { machine: ... } })`);
  }
}

/** The first node of each role in the default configuration (roles without one are not checked). */
function firstNodes(model: Model): Map<string, NodeSpec> {
  const params = Object.fromEntries(Object.entries(model.params).map(([k, p]) => [k, p.default]));
  const first = new Map<string, NodeSpec>();
  let nodes: readonly NodeSpec[] = [];
  try {
    nodes = model.nodes(params);
  } catch {
    // The cluster function fails on its own defaults: the run will say so; nothing to check here.
  }
  for (const n of nodes) if (!first.has(n.role)) first.set(n.role, n);
  return first;
}

function checkPersist(model: Model, role: string, machine: AnyStateMachine, persist: readonly string[], node: NodeSpec | undefined, inMutant: string): void {
  if (node === undefined || persist.length === 0) return;
  let context: Record<string, unknown>;
  try {
    context = initialTransition(machine, node.input)[0].context as Record<string, unknown>;
  } catch {
    return; // A machine that cannot start is an error of the model, reported with its step when run.
  }
  const missing = persist.filter((field) => !(field in (context ?? {})));
  if (missing.length > 0) {
    throw new UsageError(
      `model ${model.name}: role '${role}'${inMutant} persists '${missing[0]}', which is not a field of its initial context (fields: ${Object.keys(context ?? {}).join(', ') || 'none'})`,
    );
  }
}

function sameFields(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && [...a].sort().join('\0') === [...b].sort().join('\0');
}

/** The kinds of `budget.strategy` (explore/random/strategy.ts reads them). */
const STRATEGIES = ['random', 'pct', 'guided'];

/**
 * Checks a suite's budget and small configuration: every count a finite whole number in range.
 * (A NaN or a fraction would silently run nothing, or other than what the suite says.)
 */
export function validateBudget(
  model: string,
  budget: { readonly runs: unknown; readonly depth: unknown; readonly steps?: unknown; readonly strategy?: unknown } | undefined,
  small?: { readonly maxInFlight?: unknown },
): void {
  const where = `suite ${model}`;
  if (budget === null || typeof budget !== 'object') throw new UsageError(`${where}: budget must be an object { runs, depth }`);
  wholeNumber(where, 'budget.runs', budget.runs, 1);
  wholeNumber(where, 'budget.depth', budget.depth, 1);
  if (budget.steps !== undefined) wholeNumber(where, 'budget.steps', budget.steps, 1);
  if (budget.strategy !== undefined && !STRATEGIES.includes(budget.strategy as string)) {
    throw new UsageError(`${where}: budget.strategy is ${shown(budget.strategy)}; accepted: ${STRATEGIES.join(', ')}`);
  }
  if (small?.maxInFlight !== undefined) wholeNumber(where, 'small.maxInFlight', small.maxInFlight, 0);
}

function wholeNumber(where: string, field: string, value: unknown, least: number): void {
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < least) {
    throw new UsageError(`${where}: ${field} is ${shown(value)}; it takes a whole number from ${least} to ${Number.MAX_SAFE_INTEGER.toLocaleString('en-US')}`);
  }
}

function shown(value: unknown): string {
  if (typeof value === 'number') return String(value);
  if (typeof value === 'string') return JSON.stringify(value.slice(0, 40));
  return value === null ? 'null' : typeof value;
}
