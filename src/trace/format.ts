/**
 * The trace file, `protokit-trace/1`: one JSON document holding what replay needs (model,
 * config, mutant, faults, the concrete actions) and what a reader needs (the violated property,
 * its message and step, how it was found). It is validated on load, never trusted.
 */
import type * as Zod from 'zod';
import { zod } from '../engine/lazy-zod.js';

export const TRACE_FORMAT = 'protokit-trace/1';

/**
 * The largest fault bound a trace holds; the command line refuses larger ones (src/cli/common.ts),
 * so every trace `check` or `explore` writes loads again.
 */
export const MAX_FAULT_BOUND = 1_000_000;
/** The most actions a trace holds; `--depth` is refused above it. */
export const MAX_TRACE_ACTIONS = 100_000;
/** The most operations a trace's history evidence holds. */
export const MAX_HISTORY_OPERATIONS = 100_000;

/**
 * The schemas, built on first use: zod is loaded then (src/engine/lazy-zod.ts), so a command that never
 * reads a trace does not pay for it at start-up.
 */
function buildSchemas(z: typeof Zod) {
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


  const bound = z.number().int().min(0).max(MAX_FAULT_BOUND);

  /** Strings of a history's evidence: operations and states described by a specification. */
  const described = z.string().max(100_000);
  /** A position in a history (a logical time, a line of a file). */
  const position = z.number().min(-Number.MAX_VALUE).max(Number.MAX_VALUE);

  /**
   * A linearizability violation's evidence (src/linearizability/evidence.ts, `HistoryEvidence`):
   * the refuted partition's operations, the longest linearisation found (indices into
   * `operations`, with the states around each), and the operations that cannot come next.
   * Indices are checked against `operations`, so a renderer can follow them.
   */
  const historyEvidenceSchema = z
    .strictObject({
      spec: identifier,
      partition: z.number().int().min(0),
      partitions: z.number().int().min(1),
      key: described.nullable(),
      total: z.number().int().min(0),
      initial: described,
      operations: z
        .array(
          z.strictObject({
            client: z.string().min(1).max(200),
            op: described,
            outcome: z.enum(['ok', 'fail', 'unknown']),
            call: position,
            ret: position.nullable(),
            lines: z.tuple([position, position.nullable()]).optional(),
            steps: z.tuple([z.number().int().min(0), z.number().int().min(0).nullable()]).optional(),
          }),
        )
        .min(1)
        .max(MAX_HISTORY_OPERATIONS),
      prefix: z.array(z.strictObject({ op: z.number().int().min(0), before: described, after: described })).max(MAX_HISTORY_OPERATIONS),
      stuck: z.array(z.strictObject({ op: z.number().int().min(0), before: described, allowed: z.boolean() })).min(1).max(MAX_HISTORY_OPERATIONS),
      deadline: z.number().int().min(0),
    })
    .superRefine((e, ctx) => {
      const n = e.operations.length;
      const bad = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });
      e.operations.forEach((o, i) => {
        if (o.ret !== null && o.ret < o.call) bad(['operations', i, 'ret'], `returns (${o.ret}) before it is invoked (${o.call})`);
      });
      e.prefix.forEach((s, i) => s.op >= n && bad(['prefix', i, 'op'], `names operation ${s.op}, but there are ${n}`));
      e.stuck.forEach((s, i) => s.op >= n && bad(['stuck', i, 'op'], `names operation ${s.op}, but there are ${n}`));
      if (!e.stuck.some((s) => s.op === e.deadline)) bad(['deadline'], 'is not one of the stuck operations');
      if (e.total < n) bad(['total'], `is ${e.total}, fewer than the ${n} operations listed`);
      if (e.partition >= e.partitions) bad(['partition'], `is ${e.partition}, but there are ${e.partitions} partitions`);
    });

  const traceSchema = z.strictObject({
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
        /** A linearizability violation's evidence: the client history, refuted (see historyEvidenceSchema). */
        history: historyEvidenceSchema.optional(),
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
      command: z.enum(['check', 'explore', 'manual', 'validate']),
      seed: z.number().int().optional(),
      path: z.string().optional(),
      runs: z.number().int().min(0).optional(),
      lengths: z.strictObject({ shrunk: z.number().int().min(0), minimized: z.number().int().min(0) }).optional(),
    }),
  });
  return { historyEvidenceSchema, traceSchema };
}

type Schemas = ReturnType<typeof buildSchemas>;
let schemas: Schemas | undefined;

/** The trace file's schema and its history evidence's, built once. */
export function traceSchemas(): Schemas {
  return (schemas ??= buildSchemas(zod()));
}

export type HistoryEvidenceData = Zod.infer<Schemas['historyEvidenceSchema']>;
export type Trace = Zod.infer<Schemas['traceSchema']>;
