/**
 * The search for a behaviour of the model that explains the logs. A search state is a world and
 * a cursor per log (how many of its lines are explained); a move either explains the next line
 * of one log (match.ts) or takes an action no log records (an environment event of a node whose
 * log omits them, anything a node with no log does). Two strategies over the same moves:
 *
 * - depth-first, with a memo on (cursors, world fingerprint): follows one behaviour as far as it
 *   explains the logs and backtracks only when stuck;
 * - breadth-first, "the set of possible states" (as Accordant does online): after each explained
 *   line, every distinct state that explains the lines so far, closed under unlogged actions.
 *
 * Partial-order reduction: the next line of a node whose log records every step (no unlogged
 * events) is the node's only possible next action, and it commutes with the other nodes' steps
 * (it only consumes a message to itself and adds messages), so when one such line matches it is
 * the only move tried. Fully logged runs are then validated in one pass; the searching is for
 * what the logs leave out. (An environment function that reads the inbox may see a message
 * earlier or later; the reduction does not consider that.)
 */
import type { Action } from '../engine/actions.js';
import { enabledActions, initialWorld, step } from '../engine/packed.js';
import { worldFingerprint } from '../engine/fingerprint.js';
import { nodeKey } from '../engine/node-step.js';
import { envelopeKey, type World } from '../engine/world.js';
import { couldExplain, matchStep, type Match, type Move, type Plan } from './match.js';

export type Strategy = 'depth-first' | 'breadth-first';
export const STRATEGIES: readonly Strategy[] = ['depth-first', 'breadth-first'];

export interface SearchState {
  readonly world: World;
  readonly cursors: readonly number[];
  /** Lines explained, over all logs. */
  readonly matched: number;
  /** With clocks: per node, its steps so far in its log's numbering (logged lines and unlogged environment events). */
  readonly taken: readonly number[];
  readonly parent: SearchState | null;
  /** The actions from the parent to this state. */
  readonly moves: readonly Move[];
}

/** Why a line did not match, gathered over every state the search tried it in. */
export interface LineFailure {
  readonly node: number;
  readonly line: number;
  readonly field: string;
  readonly logged: string;
  readonly reason: string;
  readonly waiting: boolean;
  /** What the model had in that field, over the states tried (at most MAX_ALLOWED). */
  readonly allowed: Set<string>;
}

export interface SearchOutcome {
  readonly verdict: 'valid' | 'invalid' | 'unknown';
  /** Unknown: which budget ran out. */
  readonly stoppedBy: 'states' | 'time' | null;
  /** The state explaining every line (valid), else null. */
  readonly final: SearchState | null;
  /** A state explaining the most lines. */
  readonly best: SearchState;
  readonly statesVisited: number;
  readonly failures: ReadonlyMap<string, LineFailure>;
  /** Whether some line failed only because it waits (for a message not sent yet, for steps not taken yet). */
  readonly waited: boolean;
  /** With `all` (breadth-first only): every distinct state explaining every line, the set of possible states. */
  readonly finals: readonly SearchState[];
}

/** The state before any line: the initial world, nothing explained. */
export function initialState(plan: Plan): SearchState {
  const lengths = plan.logs.map(() => 0);
  return { world: initialWorld(plan.instance), cursors: lengths, matched: 0, taken: lengths, parent: null, moves: [] };
}

export interface SearchOptions {
  /** Asked every STOP_EVERY states: true stops the search (unknown, stoppedBy 'time'). */
  readonly shouldStop?: () => boolean;
  /** Start from these states (default: the initial one); their cursors must be within the plan's logs. */
  readonly from?: readonly SearchState[];
  /** Breadth-first: go on past the first state explaining every line and collect them all in `finals`. */
  readonly all?: boolean;
}

const MAX_ALLOWED = 20;

/** How often (in states) the search asks whether to stop: a clock read per state would cost more than the state. */
const STOP_EVERY = 256;

/**
 * Searches for a behaviour explaining `plan`'s logs. `shouldStop` (a time budget, a Ctrl-C) is
 * asked every STOP_EVERY states; the search itself reads no clock.
 */
export function search(plan: Plan, strategy: Strategy, maxStates: number, options: SearchOptions = {}): SearchOutcome {
  const shouldStop = options.shouldStop ?? (() => false);
  const { instance } = plan;
  const seen = new Set<string>();
  const failures = new Map<string, LineFailure>();
  const lengths = plan.logs.map((l) => l?.length ?? 0);
  const starts = options.from ?? [initialState(plan)];
  const initial = starts[0]!;
  let waited = false;
  const finals: SearchState[] = [];
  const { clocks } = plan;
  let best = initial;
  const done = (s: SearchState) => s.matched === plan.total;
  const keyOf = (s: SearchState) => {
    const f = worldFingerprint(instance, s.world);
    return `${s.cursors.join(',')}|${f.hi},${f.lo}${clocks ? `|${s.taken.join(',')}` : ''}`;
  };
  let stoppedBy: SearchOutcome['stoppedBy'] = null;
  /** Whether `s` is new; counts it, and keeps the one explaining most lines. */
  const visit = (s: SearchState): boolean => {
    const key = keyOf(s);
    if (seen.has(key)) return false;
    seen.add(key);
    if (s.matched > best.matched) best = s;
    return true;
  };
  /** Whether a budget ran out (noted in stoppedBy). */
  const outOfBudget = (): boolean => {
    if (seen.size >= maxStates) stoppedBy = 'states';
    else if (seen.size % STOP_EVERY === 0 && shouldStop()) stoppedBy = 'time';
    return stoppedBy !== null;
  };
  for (const start of starts) visit(start);

  const record = (i: number, line: number, m: Extract<Match, { ok: false }>) => {
    if (m.waiting) waited = true;
    const k = `${i}:${line}`;
    let f = failures.get(k);
    // A contradiction (a field differs) says more than "not sent yet": it replaces it.
    if (f === undefined || (f.waiting && !m.waiting)) failures.set(k, (f = { node: i, line, field: m.field, logged: m.logged, reason: m.reason, waiting: m.waiting, allowed: new Set() }));
    if (m.model !== null && f.field === m.field && f.allowed.size < MAX_ALLOWED) f.allowed.add(m.model);
  };

  /**
   * The moves tried from `s`. When the next line of some node p matches, only that match and the
   * unlogged events of p itself (which might have to come first): every other node's steps
   * commute with p's line (it consumes a message to p and only adds messages). Otherwise every
   * unlogged action, one of which must make some line match.
   */
  const children = (s: SearchState): SearchState[] => {
    for (let i = 0; i < lengths.length; i++) {
      const line = s.cursors[i]!;
      if (line >= lengths[i]!) continue;
      if (clocks) {
        const clash = clockClash(plan, s, i, line);
        if (clash === 'never') return [];
        if (clash !== null) {
          record(i, line, clash);
          continue;
        }
      }
      const m = matchStep(plan, s.world, s.cursors, i, line);
      if (!m.ok) {
        record(i, line, m);
        continue;
      }
      const cursors = s.cursors.slice();
      cursors[i] = line + 1;
      let taken = s.taken;
      if (clocks) {
        const t = s.taken.slice();
        t[i] = plan.logs[i]![line]!.stepNo!;
        taken = t;
      }
      // Every way the line is explained (a restart with or without a lost step before it) is a branch.
      const matched = [m, ...(m.others ?? [])].map((way) => ({ world: way.world, cursors, matched: s.matched + 1, taken, parent: s, moves: way.moves }));
      // With clocks the node took exactly the unlogged steps its numbering leaves room for: none may come first.
      return plan.unloggedEnv[i] && !clocks ? [...matched, ...unloggedChildren(s, instance.nodes[i]!.id)] : matched;
    }
    return unloggedChildren(s, null);
  };

  /** Children by one action no log records; those sending a message a log waits for come first. */
  const unloggedChildren = (s: SearchState, only: string | null): SearchState[] => {
    if (done(s)) return [];
    const wanted = new Set<string>();
    plan.logs.forEach((log, i) => {
      const next = log?.[s.cursors[i]!];
      if (next?.event.kind === 'deliver') wanted.add(envelopeKey({ from: next.event.from, to: instance.nodes[i]!.id, message: next.event.message }));
    });
    const useful: SearchState[] = [];
    const others: SearchState[] = [];
    for (const action of enabledActions(instance, s.world)) {
      if (!isUnlogged(plan, s, action) || (only !== null && !(action.type === 'env' && action.node === only))) continue;
      const j = action.type === 'env' ? instance.indexOf.get(action.node)! : -1;
      // With clocks, a logged node's unlogged event needs room in its numbering before its next line.
      const owes = clocks && j >= 0 && plan.logs[j] !== null ? plan.logs[j]![s.cursors[j]!]!.stepNo! - 1 - s.taken[j]! : null;
      if (owes !== null && owes <= 0) continue;
      const world = step(instance, s.world, action);
      let taken = s.taken;
      if (owes !== null) {
        const t = s.taken.slice();
        t[j]!++;
        taken = t;
      }
      const child = { world, cursors: s.cursors, matched: s.matched, taken, parent: s, moves: [{ action }] };
      const helps = world.network.length > s.world.network.length && world.network.slice(s.world.network.length).some((e) => wanted.has(envelopeKey(e)));
      // An environment event that leaves its node as it was only sends (a retry): needed only
      // when a log waits for what it sends, and then it can be taken then (it commutes with the
      // rest) — or when the clocks say the node took a step here that no line records.
      if (!helps && owes === null && action.type === 'env' && sameNode(instance, s.world, world, action.node)) continue;
      // An event after which the node can no longer explain its own next line is not worth trying.
      if (action.type === 'env' && plan.unloggedEnv[instance.indexOf.get(action.node)!] && !couldExplain(plan, world, instance.indexOf.get(action.node)!, s.cursors[instance.indexOf.get(action.node)!]!)) continue;
      (helps ? useful : others).push(child);
    }
    return [...useful, ...others];
  };

  const outcome = (verdict: SearchOutcome['verdict'], final: SearchState | null): SearchOutcome => ({ verdict, stoppedBy, final, best, statesVisited: seen.size, failures, waited, finals });

  if (strategy === 'depth-first') {
    const stack: { state: SearchState; children: SearchState[] | null; next: number }[] = [...starts].reverse().map((state) => ({ state, children: null, next: 0 }));
    while (stack.length > 0) {
      const top = stack[stack.length - 1]!;
      if (top.children === null) {
        if (done(top.state)) return outcome('valid', top.state);
        top.children = children(top.state);
      }
      if (top.next >= top.children.length) {
        stack.pop();
        continue;
      }
      const child = top.children[top.next++]!;
      if (!visit(child)) continue;
      if (outOfBudget()) return outcome('unknown', null);
      stack.push({ state: child, children: null, next: 0 });
    }
    return outcome('invalid', null);
  }

  // Breadth-first: every distinct state k moves from the start, for k = 0, 1, 2, ... (the set of
  // states still consistent with the logs, as an online validator keeps it).
  let layer = [...starts];
  while (layer.length > 0) {
    const next: SearchState[] = [];
    for (const s of layer) {
      if (done(s)) {
        if (!options.all) return outcome('valid', s);
        finals.push(s);
        continue;
      }
      for (const child of children(s)) {
        if (!visit(child)) continue;
        if (outOfBudget()) return outcome('unknown', null);
        next.push(child);
      }
    }
    layer = next;
  }
  return finals.length > 0 ? outcome('valid', finals[0]!) : outcome('invalid', null);
}

/**
 * With clocks, whether line `line` of node `i` cannot be matched in `s`: 'never' when the node
 * took more steps than the line's number leaves room for (no extension of `s` can explain it);
 * a waiting failure when the node still owes unlogged steps before it, or when a step of another
 * logged node that the line's vector clock says happened before it is not taken yet; else null.
 */
function clockClash(plan: Plan, s: SearchState, i: number, line: number): Extract<Match, { ok: false }> | 'never' | null {
  const logStep = plan.logs[i]![line]!;
  const before = logStep.stepNo! - 1;
  if (s.taken[i]! > before) return 'never';
  if (s.taken[i]! < before) return { ok: false, waiting: true, field: 'step', logged: String(logStep.stepNo), model: null, reason: `the node has taken ${s.taken[i]} steps; ${before - s.taken[i]!} unlogged steps come first` };
  const { instance } = plan;
  for (const [node, n] of Object.entries(logStep.vc!)) {
    const j = instance.indexOf.get(node);
    if (j === undefined || j === i || plan.logs[j] === null) continue;
    if (s.taken[j]! < n) return { ok: false, waiting: true, field: 'vc', logged: `${node}:${n}`, model: null, reason: `it happened after step ${n} of ${node}, which has taken ${s.taken[j]}` };
  }
  return null;
}

/** Whether `action` is one the logs would not record: what a node without a log does, or an environment event of a node whose log omits them. */
function isUnlogged(plan: Plan, s: SearchState, action: Action): boolean {
  const { instance } = plan;
  const logged = (id: string) => plan.logs[instance.indexOf.get(id)!] !== null;
  switch (action.type) {
    case 'env': {
      const i = instance.indexOf.get(action.node)!;
      return plan.logs[i] === null || (plan.unloggedEnv[i]! && s.cursors[i]! < plan.logs[i]!.length);
    }
    case 'deliver':
      return !logged(action.to);
    case 'crash':
    case 'restart':
      return !logged(action.node);
    default:
      // Loss needs no action (a message never delivered stays in flight); duplicates are taken
      // when a log shows a redelivery; partitions only ever forbid what the logs show happened.
      return false;
  }
}

/** The actions of the behaviour that reached `state`, each late duplicate moved before the delivery it copies. */
export function actionsOf(state: SearchState): Action[] {
  const chain: SearchState[] = [];
  for (let s: SearchState | null = state; s !== null; s = s.parent) chain.push(s);
  const actions: Action[] = [];
  for (const s of chain.reverse()) {
    for (const move of s.moves) {
      if (!move.late) {
        actions.push(move.action);
        continue;
      }
      const a = move.action as Extract<Action, { type: 'duplicate' }>;
      const key = envelopeKey(a);
      let at = actions.length - 1;
      while (at >= 0 && !(actions[at]!.type === 'deliver' && envelopeKey(actions[at] as Extract<Action, { type: 'deliver' }>) === key)) at--;
      actions.splice(Math.max(at, 0), 0, move.action);
    }
  }
  return actions;
}

/** Whether `node` is in the same state in both worlds. */
function sameNode(instance: Plan['instance'], before: World, after: World, node: string): boolean {
  const i = instance.indexOf.get(node)!;
  return nodeKey(before.nodes[i]!) === nodeKey(after.nodes[i]!);
}
