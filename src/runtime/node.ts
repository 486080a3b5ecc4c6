/**
 * `startNode`: one node of a checked model, running as a live service.
 *
 * A node's step is the model's step (src/engine/semantics.ts), made real:
 * - a frame that arrives is checked (message-check.ts), then the machine takes the event the
 *   model delivers, `{ ...message, from }`; a frame that fails the check, or on which the machine
 *   throws, is dropped and logged, and the node goes on;
 * - an environment event comes from a timer (a random delay in a configured range, the event
 *   taken from the role's environment function, so the node fires only what the model allows
 *   then) or from the application (`send`, e.g. a client request);
 * - the step's persisted fields are saved and durable BEFORE its messages leave (write-ahead, as
 *   the model's crash semantics assume), then the step is recorded, then its sends go out, each
 *   with a run-unique id `<node>:<incarnation>:<n>`;
 * - a node whose storage holds a record restarts as the model restarts a crashed node: the
 *   initial state with the persisted fields restored, then RECOVER.
 * Steps run one at a time, in arrival order; the machine is stepped with xstate's own transition
 * (no memo), so what runs is exactly what was checked.
 */
import type { EventObject, StateValue } from 'xstate';
import { nodeStateFingerprint } from '../engine/fingerprint.js';
import { resolveInstance, type ResolvedRole } from '../engine/instance.js';
import type { Message, Model, NodeSpec, NodeView, Observation, ParamValue } from '../engine/model.js';
import type { NodeState, NodeStepResult } from '../engine/node-step.js';
import { KIT_VERSION } from '../engine/version.js';
import { systemClock, type Clock } from './clock.js';
import { sameJson } from './json-delta.js';
import { checkFrame, messageTypesOf, printable, type CheckedFrame } from './message-check.js';
import { LOG_FORMAT, type LogEvent, type Recorder } from './recorder.js';
import type { Storage } from './storage.js';
import type { Transport } from './transport.js';

/** An environment event the application gives a node, e.g. `{ type: 'ClientRequest', command: 'x=1' }`. */
export type EnvironmentEvent = { readonly type: string; readonly [field: string]: unknown };

/** What a step did, as listeners and the application see it. */
export interface StepReport {
  /** 1-based, per node, continued across restarts when the node has a recorder. */
  readonly step: number;
  readonly event: LogEvent;
  /** False when the machine ignored the event (no recorded step, nothing sent). */
  readonly changed: boolean;
  readonly state: NodeState;
  readonly sends: readonly { readonly id: string; readonly to: string; readonly message: Message }[];
  readonly observations: readonly Observation[];
}

/** An environment event fired by a timer. */
export interface TimerSpec {
  /** The event's type, e.g. `Timeout`; the event itself is the one the role's environment lists now. */
  readonly event: string;
  /**
   * Fire this event as it is instead, whether or not the environment lists it now: for bounds a
   * model puts on its environment only to keep checking finite (Raft's `maxTerm`), which a
   * service must not inherit. The machine still decides: an event it ignores is no step.
   */
  readonly fire?: EnvironmentEvent;
  /** The delay is drawn uniformly from [minMs, maxMs] each time the timer is armed. */
  readonly minMs: number;
  readonly maxMs: number;
  /**
   * Steps that restart this timer (Raft's election timeout restarts when a leader is heard): event
   * types, or a test on the step.
   */
  readonly resetOn?: readonly string[] | ((step: StepReport) => boolean);
}

/** Since 0.2.0. How to run one node. */
export interface NodeOptions {
  /** The model (built in, or a user's own `defineModel`). */
  readonly model: Model;
  /** The node's role; must be the role the model gives node `id`. */
  readonly role: string;
  /** The node's id in the model's cluster for `config` (e.g. `n1`, `tm`). */
  readonly id: string;
  /** Model parameters, as `--config` takes them. */
  readonly config?: Readonly<Record<string, string | ParamValue>>;
  /** Run a known-buggy variant (to see a bug happen for real). */
  readonly mutant?: string | null;
  readonly transport: Transport;
  readonly storage: Storage;
  /** Default: the system clock, timers and Math.random. */
  readonly clock?: Clock;
  /** Writes each step (docs/log-format.md); default none. */
  readonly recorder?: Recorder | null;
  /** Environment events fired by timers. */
  readonly timers?: readonly TimerSpec[];
  /**
   * A check of a received message's fields, after the structural one: null to accept, or what is
   * wrong (e.g. a zod schema's `safeParse`). The model declares no message schema.
   */
  readonly checkMessage?: (message: Message, from: string) => string | null;
  /** One line per dropped frame or failed step; default: standard error. */
  readonly log?: (line: string) => void;
}

/**
 * Test-only options, deliberately outside `NodeOptions` and the package's exports: they break the
 * model's crash semantics to plant a known bug for validation (issue 27). Pass them only through
 * a variable typed `NodeOptions & UnsafeTestOptions`; the node says on its log that they are on.
 */
export interface UnsafeTestOptions {
  /**
   * The planted bug: a step's persisted fields are saved AFTER its messages leave (record, send,
   * then save), not before. A crash between the send and the save loses what the peers were told.
   */
  readonly unsafeWriteAfterSend?: boolean;
  /**
   * With `unsafeWriteAfterSend`: awaited after a persisting step's messages left and before its
   * save begins — where a script crashes the process at the wrong moment.
   */
  readonly unsafeBeforeWrite?: (step: StepReport) => void | Promise<void>;
}

/** Since 0.2.0. A node that runs. */
export interface RunningNode {
  readonly id: string;
  readonly role: string;
  /** Starts and recoveries of this node so far, this one included (kept in its storage). */
  readonly incarnation: number;
  /** The node's current state (value and context). */
  readonly state: NodeState;
  /** The node as the model's environment functions and properties see it. */
  view(): NodeView;
  /**
   * Gives the node an environment event (a client request, a local decision): it is stepped
   * after the steps already queued; the report says whether the machine took it.
   */
  send(event: EnvironmentEvent): Promise<StepReport>;
  onStep(listener: (step: StepReport) => void): () => void;
  onObservation(listener: (observation: Observation, step: StepReport) => void): () => void;
  /** Resolves once no step is queued or running. */
  idle(): Promise<void>;
  /** Stops after the step in progress: timers off, transport and recorder closed. Queued frames are dropped. */
  stop(): Promise<void>;
  /** A crash: stops at once, mid-step if it must; nothing more is written, nothing more is sent. */
  kill(): void;
  readonly stats: NodeStats;
}

export interface NodeStats {
  steps: number;
  delivered: number;
  ignored: number;
  dropped: number;
  sent: number;
}

type Work =
  | { readonly kind: 'frame'; readonly frame: unknown }
  | { readonly kind: 'app'; readonly event: EventObject; readonly done: (r: StepReport) => void; readonly failed: (e: unknown) => void }
  | { readonly kind: 'timer'; readonly timer: TimerSpec; readonly generation: number };

/** Since 0.2.0. Starts one node of `model`: recovers it from `storage` if it ran before, and runs it until `stop` or `kill`. */
export async function startNode(options: NodeOptions): Promise<RunningNode> {
  const instance = resolveInstance(options.model, { config: options.config, mutant: options.mutant ?? null });
  const index = instance.nodes.findIndex((n) => n.id === options.id);
  if (index < 0) throw new Error(`model ${options.model.name} has no node '${options.id}' (its nodes: ${instance.nodes.map((n) => n.id).join(', ')})`);
  const spec: NodeSpec = instance.nodes[index]!;
  if (spec.role !== options.role) throw new Error(`node '${spec.id}' of ${options.model.name} has role '${spec.role}', not '${options.role}'`);
  for (const t of options.timers ?? []) {
    if (!(t.minMs >= 0 && t.maxMs >= t.minMs && Number.isFinite(t.maxMs))) throw new Error(`timer ${t.event}: needs 0 ≤ minMs ≤ maxMs`);
    if (t.fire !== undefined && t.fire.type !== t.event) throw new Error(`timer ${t.event}: fires an event of type '${t.fire.type}'`);
  }
  const node = new Node(options, instance.roleOf[index]!, spec, instance);
  await node.start();
  return node;
}

class Node implements RunningNode {
  readonly id: string;
  readonly role: string;
  incarnation = 0;
  state!: NodeState;
  readonly stats: NodeStats = { steps: 0, delivered: 0, ignored: 0, dropped: 0, sent: 0 };

  private readonly clock: Clock;
  private readonly unsafe: UnsafeTestOptions;
  private readonly recorder: Recorder | null;
  private readonly log: (line: string) => void;
  private readonly nodes: ReadonlySet<string>;
  private readonly messageTypes: ReadonlySet<string>;
  private readonly queue: Work[] = [];
  private draining = false;
  private ready = false;
  private dead = false;
  private lastStep = 0;
  private sentInIncarnation = 0;
  private vc: Record<string, number> = {};
  private persistedValues: Readonly<Record<string, unknown>> = {};
  private readonly timers = new Map<TimerSpec, unknown>();
  /** Bumped each time a timer is armed: a firing of an older arming is stale. */
  private readonly generations = new Map<TimerSpec, number>();
  private readonly stepListeners = new Set<(s: StepReport) => void>();
  private readonly observationListeners = new Set<(o: Observation, s: StepReport) => void>();
  private idleWaiters: (() => void)[] = [];

  constructor(
    private readonly options: NodeOptions,
    private readonly resolved: ResolvedRole,
    private readonly spec: NodeSpec,
    private readonly instance: ReturnType<typeof resolveInstance>,
  ) {
    this.id = spec.id;
    this.role = spec.role;
    this.clock = options.clock ?? systemClock;
    this.recorder = options.recorder ?? null;
    this.log = options.log ?? ((line) => process.stderr.write(`${line}\n`));
    this.unsafe = options as UnsafeTestOptions;
    if (this.unsafe.unsafeWriteAfterSend === true) this.log(`${this.id}: UNSAFE (test only): persisted fields are saved after the step's messages leave`);
    this.nodes = new Set(instance.nodes.map((n) => n.id));
    this.messageTypes = messageTypesOf(eventTypesOf(resolved), environmentTypes(instance, resolved, spec, options.timers ?? []));
  }

  async start(): Promise<void> {
    const { storage } = this.options;
    const stored = await storage.load();
    if (stored !== null && (stored.model !== this.instance.model.name || stored.node !== this.id)) {
      throw new Error(`storage holds node '${stored.node}' of model ${stored.model}, not '${this.id}' of ${this.instance.model.name}`);
    }
    const stepper = this.resolved.stepper;
    const result = stored === null ? stepper.initial(this.spec.input) : stepper.restart(this.spec.input, this.persistedOf(stored.persisted));
    this.incarnation = (stored?.incarnation ?? 0) + 1;
    // The incarnation is durable before any message of it leaves, so message ids never repeat.
    const persisted = this.persistedOf(result.state.context);
    await storage.save({ format: 'protokit-node/1', model: this.instance.model.name, node: this.id, incarnation: this.incarnation, persisted });
    this.persistedValues = persisted;
    if (this.recorder !== null) {
      const position = this.recorder.open({
        format: LOG_FORMAT,
        model: this.instance.model.name,
        config: this.instance.params,
        mutant: this.instance.mutant,
        node: this.id,
        role: this.role,
        kit: KIT_VERSION,
      });
      this.lastStep = position.lastStep;
      this.vc = { ...position.vc };
    }
    this.state = result.state;
    try {
      await this.options.transport.listen(this.id, (frame) => this.enqueue({ kind: 'frame', frame }));
    } catch (error) {
      // A node that cannot reach its network does not start (and keeps no log file open).
      this.recorder?.close();
      throw error;
    }
    this.commit(stored === null ? { kind: 'start' } : { kind: 'recover' }, result, persisted);
    for (const timer of this.options.timers ?? []) this.arm(timer);
    this.ready = true;
    this.drain();
  }

  view(): NodeView {
    return { id: this.id, role: this.role, up: !this.dead, state: this.state.value, context: this.state.context };
  }

  send(event: EnvironmentEvent): Promise<StepReport> {
    if (this.dead) return Promise.reject(new Error(`node ${this.id} is stopped`));
    return new Promise((done, failed) => this.enqueue({ kind: 'app', event, done, failed }));
  }

  onStep(listener: (s: StepReport) => void): () => void {
    this.stepListeners.add(listener);
    return () => this.stepListeners.delete(listener);
  }

  onObservation(listener: (o: Observation, s: StepReport) => void): () => void {
    this.observationListeners.add(listener);
    return () => this.observationListeners.delete(listener);
  }

  idle(): Promise<void> {
    if (!this.draining && this.queue.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  async stop(): Promise<void> {
    if (this.dead) return;
    for (const work of this.queue.splice(0)) if (work.kind === 'app') work.failed(new Error(`node ${this.id} stopped`));
    await this.idle();
    this.halt();
    await this.options.transport.close();
  }

  kill(): void {
    if (this.dead) return;
    this.halt();
    void this.options.transport.close();
  }

  private halt(): void {
    this.dead = true;
    for (const handle of this.timers.values()) this.clock.clearTimer(handle);
    this.timers.clear();
    for (const work of this.queue) if (work.kind === 'app') work.failed(new Error(`node ${this.id} stopped`));
    this.queue.length = 0;
    this.recorder?.close();
    for (const wake of this.idleWaiters.splice(0)) wake();
  }

  private enqueue(work: Work): void {
    if (this.dead) return;
    this.queue.push(work);
    if (this.ready) this.drain();
  }

  /** Runs queued work one step at a time; a step awaits only its storage write. */
  private drain(): void {
    if (this.draining) return;
    this.draining = true;
    void (async () => {
      while (!this.dead && this.queue.length > 0) {
        const work = this.queue.shift()!;
        try {
          await this.run(work);
        } catch (error) {
          if (work.kind === 'app') work.failed(error);
          else this.log(`${this.id}: step failed: ${printable(error instanceof Error ? error.message : String(error))}`);
        }
      }
      this.draining = false;
      for (const wake of this.idleWaiters.splice(0)) wake();
    })();
  }

  private async run(work: Work): Promise<void> {
    if (work.kind === 'frame') return this.deliver(work.frame);
    if (work.kind === 'app') {
      const result = this.resolved.stepper.stepUncached(this.state, work.event);
      work.done(await this.afterStep({ kind: 'env', event: work.event }, result, null));
      return;
    }
    // A timer: fire the event of its type that the role's environment lists now, if any. A
    // timer reset after it fired (by a step queued before it) has not run out after all.
    const { timer } = work;
    if (work.generation !== this.generations.get(timer)) return;
    const event = timer.fire ?? this.resolved.environment(this.view(), this.instance.params, []).find((e) => e.type === timer.event);
    if (event !== undefined) await this.afterStep({ kind: 'env', event }, this.resolved.stepper.stepUncached(this.state, event as EventObject), null);
    if (!this.dead && !this.timers.has(timer)) this.arm(timer);
  }

  private async deliver(raw: unknown): Promise<void> {
    const checked = checkFrame(raw, { self: this.id, nodes: this.nodes, messageTypes: this.messageTypes });
    if (typeof checked === 'string') return this.drop(raw, checked);
    const fieldProblem = this.options.checkMessage?.(checked.message, checked.from) ?? null;
    if (fieldProblem !== null) return this.drop(raw, fieldProblem);
    let result: NodeStepResult;
    try {
      result = this.resolved.stepper.stepUncached(this.state, { ...checked.message, from: checked.from } as EventObject);
    } catch (error) {
      return this.drop(raw, `the machine threw: ${error instanceof Error ? error.message : String(error)}`);
    }
    this.stats.delivered++;
    if (!result.changed) this.stats.ignored++;
    // A delivery the machine ignores is still a step of the model (the message is consumed), so it is recorded.
    await this.afterStep({ kind: 'deliver', id: checked.id, from: checked.from, message: checked.message }, { ...result, changed: true }, checked);
  }

  private drop(raw: unknown, why: string): void {
    this.stats.dropped++;
    const f = raw as { id?: unknown; from?: unknown } | null;
    const who = typeof f === 'object' && f !== null && typeof f.from === 'string' ? ` from ${printable(f.from, 40)}` : '';
    const id = typeof f === 'object' && f !== null && typeof f.id === 'string' ? ` ${printable(f.id, 60)}` : '';
    this.log(`${this.id}: dropped message${id}${who}: ${printable(why)}`);
  }

  /** Persist (write-ahead), then commit: record, send, tell listeners. */
  private async afterStep(event: LogEvent, result: NodeStepResult, frame: CheckedFrame | null): Promise<StepReport> {
    if (!result.changed) return { step: this.lastStep, event, changed: false, state: this.state, sends: [], observations: [] };
    const persisted = this.persistedOf(result.state.context);
    // xstate keeps what it did not assign as the same object, so this costs pointer checks over
    // what was kept (Raft's log after an append), never a serialisation of the whole field.
    const changed = !this.resolved.persist.every((f) => sameJson(persisted[f], this.persistedValues[f]));
    let written: Record<string, unknown> | null = null;
    const save = () => this.options.storage.save({ format: 'protokit-node/1', model: this.instance.model.name, node: this.id, incarnation: this.incarnation, persisted });
    if (frame?.vc !== undefined) for (const [n, c] of Object.entries(frame.vc)) this.vc[n] = Math.max(this.vc[n] ?? 0, c);
    if (changed && this.unsafe.unsafeWriteAfterSend === true) {
      // The planted bug (UnsafeTestOptions): record and send first, save last.
      this.persistedValues = persisted;
      const report = this.commit(event, result, persisted);
      await this.unsafe.unsafeBeforeWrite?.(report);
      if (this.dead) throw new Error(`node ${this.id} stopped during the step`);
      await save();
      return report;
    }
    if (changed) {
      await save();
      if (this.dead) throw new Error(`node ${this.id} stopped during the step`);
      written = persisted;
    }
    this.persistedValues = persisted;
    return this.commit(event, result, written);
  }

  private commit(event: LogEvent, result: NodeStepResult, persisted: Record<string, unknown> | null): StepReport {
    this.state = result.state;
    const step = ++this.lastStep;
    this.vc[this.id] = step;
    const sends: { id: string; to: string; message: Message }[] = [];
    const observations: Observation[] = [];
    for (const effect of result.effects) {
      if (effect.type === 'observe') observations.push(effect.observation);
      else sends.push({ id: `${this.id}:${this.incarnation}:${++this.sentInIncarnation}`, to: effect.to, message: effect.message });
    }
    const vc = { ...this.vc };
    if (this.recorder !== null) {
      this.recorder.write({
        step,
        event,
        fingerprint: nodeStateFingerprint(result.state),
        ...(this.recorder.states !== false ? { state: { value: result.state.value as StateValue, context: result.state.context } } : {}),
        sends,
        ...(persisted !== null ? { persisted } : {}),
        ...(observations.length > 0 ? { observations } : {}),
        vc,
      });
    }
    for (const s of sends) {
      if (!this.nodes.has(s.to)) {
        this.log(`${this.id}: the machine sent ${printable(s.message.type)} to unknown node '${printable(s.to)}'; not sent`);
        continue;
      }
      this.stats.sent++;
      this.options.transport.send({ id: s.id, from: this.id, to: s.to, message: s.message, vc });
    }
    this.stats.steps++;
    const report: StepReport = { step, event, changed: true, state: result.state, sends, observations };
    for (const timer of this.options.timers ?? []) if (resets(timer, report)) this.arm(timer);
    for (const listener of this.stepListeners) listener(report);
    for (const o of observations) for (const listener of this.observationListeners) listener(o, report);
    return report;
  }

  private arm(timer: TimerSpec): void {
    const old = this.timers.get(timer);
    if (old !== undefined) this.clock.clearTimer(old);
    const generation = (this.generations.get(timer) ?? 0) + 1;
    this.generations.set(timer, generation);
    const delay = timer.minMs + this.clock.random() * (timer.maxMs - timer.minMs);
    this.timers.set(
      timer,
      this.clock.setTimer(() => {
        this.timers.delete(timer);
        this.enqueue({ kind: 'timer', timer, generation });
      }, delay),
    );
  }

  private persistedOf(context: Readonly<Record<string, unknown>>): Record<string, unknown> {
    return Object.fromEntries(this.resolved.persist.filter((f) => Object.hasOwn(context, f)).map((f) => [f, context[f]]));
  }
}

function resets(timer: TimerSpec, step: StepReport): boolean {
  if (timer.resetOn === undefined) return false;
  if (typeof timer.resetOn === 'function') return timer.resetOn(step);
  const type = step.event.kind === 'deliver' ? step.event.message.type : step.event.kind === 'env' ? step.event.event.type : null;
  return type !== null && timer.resetOn.includes(type);
}

/** The event types a role's machine handles (xstate lists them per machine). */
function eventTypesOf(role: ResolvedRole): readonly string[] {
  return (role.machine as unknown as { events: readonly string[] }).events;
}

/** The types that are environment events for this role: declared for fairness or exploration, fired by timers, or listed by its environment now. */
function environmentTypes(instance: ReturnType<typeof resolveInstance>, role: ResolvedRole, spec: NodeSpec, timers: readonly TimerSpec[]): Set<string> {
  const model = instance.model;
  const types = new Set<string>([...(model.fairness?.events?.[role.name] ?? []), ...Object.keys(model.exploration?.eventWeights ?? {}), ...timers.map((t) => t.event)]);
  const first = role.stepper.initial(spec.input).state;
  const view: NodeView = { id: spec.id, role: spec.role, up: true, state: first.value, context: first.context };
  for (const e of role.environment(view, instance.params, [])) types.add(e.type);
  return types;
}
