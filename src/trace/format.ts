/**
 * The trace file, `protokit-trace/1`: one JSON document holding what replay needs (model,
 * config, mutant, faults, the concrete actions) and what a reader needs (the violated property,
 * its message and step, how it was found). It is validated on load, never trusted.
 */
import { z } from 'zod';

export const TRACE_FORMAT = 'protokit-trace/1';

const identifier = z.string().min(1).max(200);
const message = z.looseObject({ type: identifier });

const action = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('deliver'), from: identifier, to: identifier, message }),
  z.strictObject({ type: z.literal('drop'), from: identifier, to: identifier, message }),
  z.strictObject({ type: z.literal('duplicate'), from: identifier, to: identifier, message }),
  z.strictObject({ type: z.literal('env'), node: identifier, event: message }),
  z.strictObject({ type: z.literal('crash'), node: identifier }),
  z.strictObject({ type: z.literal('restart'), node: identifier }),
  z.strictObject({ type: z.literal('partition'), groups: z.array(z.array(identifier).min(1)).min(2) }),
  z.strictObject({ type: z.literal('heal') }),
]);

/**
 * The largest fault bound a trace holds; the command line refuses larger ones (src/cli/common.ts),
 * so every trace `check` or `explore` writes loads again.
 */
export const MAX_FAULT_BOUND = 1_000_000;
/** The most actions a trace holds; `--depth` is refused above it. */
export const MAX_TRACE_ACTIONS = 100_000;

const bound = z.number().int().min(0).max(MAX_FAULT_BOUND);

export const traceSchema = z.strictObject({
  format: z.literal(TRACE_FORMAT),
  kit: z.strictObject({ name: z.literal('protokit'), version: z.string() }),
  model: identifier,
  preset: identifier.nullable(),
  config: z.record(identifier, z.union([z.number(), z.string(), z.boolean()])),
  mutant: identifier.nullable(),
  faults: z.strictObject({
    network: z.enum(['unordered', 'fifo', 'set']),
    loss: bound,
    duplicate: bound,
    crash: bound,
    partition: bound,
  }),
  /**
   * Whether replaying is expected to violate `violation.property` (a known bug), to pass (a fixed
   * one), or to fail as the model failed when the trace was saved (`error`, exit 4).
   */
  expect: z.enum(['violation', 'pass', 'error']),
  violation: z
    .strictObject({
      property: identifier,
      message: z.string(),
      step: z.number().int().min(0),
      /** Absent in traces before liveness: `safety`. */
      kind: z.enum(['safety', 'liveness', 'deadlock']).optional(),
      /**
       * A lasso (liveness, deadlock): the actions from this index on form a loop that returns to
       * the world where it began and repeats forever; equal to the number of actions when the
       * last world stutters (nothing fair is enabled there).
       */
      loopStart: z.number().int().min(0).optional(),
    })
    .nullable(),
  /** With `expect: "error"`: what failed, and at which step (its last action, or after it). */
  error: z.strictObject({ message: z.string(), step: z.number().int().min(0), node: identifier.nullable() }).optional(),
  /** The properties checked when only some were (--property/--skip); replay checks the same. */
  properties: z.array(identifier).max(10_000).optional(),
  /** The suite module given to --load when the trace was saved (absolute path), so replay and show find it. */
  suite: z.string().min(1).max(4096).optional(),
  actions: z.array(action).max(MAX_TRACE_ACTIONS),
  /** Fingerprints of each node and of the network after each step (index 0: the initial world). */
  digests: z.array(z.strictObject({ nodes: z.record(identifier, z.string()), network: z.string() })),
  origin: z.strictObject({
    command: z.enum(['check', 'explore', 'manual']),
    seed: z.number().int().optional(),
    path: z.string().optional(),
    runs: z.number().int().min(0).optional(),
    lengths: z.strictObject({ shrunk: z.number().int().min(0), minimized: z.number().int().min(0) }).optional(),
  }),
});

export type Trace = z.infer<typeof traceSchema>;
