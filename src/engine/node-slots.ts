/**
 * Per (node state, node index) memos: what the fast path and the views keep about one node
 * state, stored in that state's memo (node-step.ts) so it is found without hashing. The memo is
 * shared by every instance running the machine, so a slot names its instance.
 */
import type { Action } from './actions.js';
import type { Instance } from './instance.js';
import type { NodeView } from './model.js';
import type { NodeState, NodeStepResult } from './node-step.js';

export type EnvAction = Extract<Action, { type: 'env' }>;

export interface NodeSlot {
  readonly instance: Instance;
  view: NodeView | null;
  /** The node after a crash in this state (only its persisted fields), and after a restart from it. */
  crashed: NodeState | null;
  restarted: NodeStepResult | null;
  /** The node's environment actions in this state: all, and those that change the node (null until known). */
  env: EnvironmentActions | null;
  /**
   * For a role whose environment function reads the inbox: its answers in this state by inbox
   * (the ids of the inbox's envelope keys, in order), bounded (see fast-step.ts).
   */
  envByInbox: Map<string, EnvironmentActions> | null;
}

export interface EnvironmentActions {
  readonly all: readonly EnvAction[];
  /** Those that change the node, for networks where that alone decides (not `set`); null when not cached. */
  readonly changing: readonly EnvAction[] | null;
  /** The node's step on each of `all` and of `changing` (aligned with them), when `changing` is cached. */
  readonly allResults: readonly NodeStepResult[] | null;
  readonly changingResults: readonly NodeStepResult[] | null;
}

export function slotOf(instance: Instance, i: number, state: NodeState): NodeSlot {
  const memo = instance.roleOf[i]!.stepper.memoOf(state);
  let slot = memo.slots[i] as NodeSlot | undefined;
  if (slot === undefined || slot.instance !== instance) memo.slots[i] = slot = { instance, view: null, env: null, envByInbox: null, crashed: null, restarted: null };
  return slot;
}
