/**
 * The baseline for random exploration: Two-Phase Commit as plain code (no xstate, no kit), walked
 * at random with exactly the kit's choices, so "how fast could a random walk of this protocol be"
 * has a measured answer.
 *
 * It mirrors models/two-phase-commit (retry on, unordered network) and the kit's random runs
 * (src/explore/random/random.ts): the enabled actions in the same documented order, the same weights and
 * per-run fault swarm, the same fault bounds, the four invariants and three witnesses of the
 * suite checked after every step, and every world fingerprinted for the distinct-state count.
 * Fed the same plans, it takes the same steps and counts the same distinct states as the kit
 * (bench/sections/2-random-exploration.ts checks that before timing anything).
 *
 * State is packed in small integers: node status codes, bitmasks for sets of RMs, and one
 * integer per in-flight message (kind, RM).
 */
import { FingerprintSet } from '../../src/engine/fingerprint.js';

export interface WalkFaults {
  readonly loss: number;
  readonly duplicate: number;
  readonly crash: number;
  readonly partition: number;
}

export interface Swarm {
  readonly loss: boolean;
  readonly duplicate: boolean;
  readonly crash: boolean;
  readonly partition: boolean;
}

export interface Plan {
  readonly swarm: Swarm;
  readonly choices: readonly number[];
}

// Node status codes. The TM: init, committed, aborted. An RM: its logged status, which is also its state.
const INIT = 0, COMMITTED = 1, ABORTED = 2;
const WORKING = 0, PREPARED = 1, RM_COMMITTED = 2, RM_ABORTED = 3;
// Decisions.
const NONE = 0, COMMIT = 1, ABORT = 2;
// Messages: kind * 16 + rm. Prepared goes rm → tm; Commit and Abort go tm → rm.
const PREPARED_MSG = 0, COMMIT_MSG = 1, ABORT_MSG = 2;
// Action kinds, and their weights as in the kit (env events by their model-declared weights).
const DELIVER = 0, ENV = 1, DROP = 2, DUPLICATE = 3, CRASH = 4, RESTART = 5, PARTITION = 6, HEAL = 7;
const KIND_WEIGHT = [8, 2, 1, 1, 1, 3, 1, 3];
// Environment events.
const DECIDE_COMMIT = 0, TM_TIMEOUT = 1, PREPARE = 2, CHOOSE_TO_ABORT = 3, RM_TIMEOUT = 4;
const EVENT_WEIGHT = [4, 1, 4, 1, 1];

export class TwoPhaseCommitWalk {
  // The world.
  private tmUp = true;
  private tmState = INIT;
  private tmPrepared = 0;
  private tmDecision = NONE;
  private readonly rmUp: Uint8Array;
  private readonly rmStatus: Uint8Array;
  private net: number[] = [];
  /** Partition mask over the RMs (bit set: on the TM's side), or -1 when whole. */
  private partition = -1;
  private usedLoss = 0;
  private usedDup = 0;
  private usedCrash = 0;
  private usedPartition = 0;
  // Observations: Voted (mask), Decided commit/abort, Recovered (mask; bit n for the TM).
  private voted = 0;
  private decidedCommit = false;
  private decidedAbort = false;
  private recovered = 0;
  /** When Recovered observations carry what the node found in its log: per RM the statuses seen (4 bits), for the TM the decisions (3 bits). */
  private readonly recoveredStatus: Uint8Array;
  private recoveredDecision = 0;
  private recoveredBeforeDecided = false;

  // The enabled actions of the current world, in the kit's order: kind and argument.
  private kinds: number[] = [];
  private args: number[] = [];

  readonly distinct = new FingerprintSet();
  steps = 0;
  readonly reached = { commits: false, aborts: false, commitsAfterRecovery: false };
  private readonly all: number;

  /**
   * `recoveredCarriesLog`: the model's Recovered observations carry the logged status (RMs) or
   * decision (TM) found on restart, so they are distinct observations per value.
   */
  constructor(
    readonly rms: number,
    readonly faults: WalkFaults,
    readonly recoveredCarriesLog = false,
  ) {
    this.recoveredStatus = new Uint8Array(rms);
    this.rmUp = new Uint8Array(rms);
    this.rmStatus = new Uint8Array(rms);
    this.all = (1 << rms) - 1;
  }

  /** One run; false when an invariant was violated. `choice(k)` gives the k-th choice number or -1 when the run ends. */
  run(swarm: Swarm, choices: readonly number[]): boolean {
    this.reset();
    this.observe();
    for (let k = 0; k < choices.length; k++) {
      this.enabled();
      const at = this.choose(swarm, choices[k]!);
      if (at < 0) break;
      this.apply(this.kinds[at]!, this.args[at]!);
      this.steps++;
      this.observe();
      if (this.violated()) return false;
    }
    return true;
  }

  /** A run whose choices come from `next()` (a plain PRNG), up to `depth` steps. */
  runWith(swarm: Swarm, depth: number, next: () => number): boolean {
    this.reset();
    this.observe();
    for (let k = 0; k < depth; k++) {
      this.enabled();
      const at = this.choose(swarm, next());
      if (at < 0) break;
      this.apply(this.kinds[at]!, this.args[at]!);
      this.steps++;
      this.observe();
      if (this.violated()) return false;
    }
    return true;
  }

  private reset(): void {
    this.tmUp = true;
    this.tmState = INIT;
    this.tmPrepared = 0;
    this.tmDecision = NONE;
    this.rmUp.fill(1);
    this.rmStatus.fill(WORKING);
    this.net = [];
    this.partition = -1;
    this.usedLoss = this.usedDup = this.usedCrash = this.usedPartition = 0;
    this.voted = 0;
    this.decidedCommit = this.decidedAbort = false;
    this.recovered = 0;
    this.recoveredStatus.fill(0);
    this.recoveredDecision = 0;
    this.recoveredBeforeDecided = false;
  }

  private linked(rm: number): boolean {
    return this.partition < 0 || (this.partition & (1 << rm)) !== 0;
  }

  /** Lists the enabled actions in the kit's order (deliveries, env events, drops, duplicates, crashes, restarts, partitions, heal). */
  private enabled(): void {
    const kinds = (this.kinds = [] as number[]);
    const args = (this.args = [] as number[]);
    const net = this.net;
    const distinct: number[] = [];
    for (let j = 0; j < net.length; j++) {
      const m = net[j]!;
      if (distinct.includes(m)) continue;
      distinct.push(m);
      const rm = m & 15;
      const up = m >> 4 === PREPARED_MSG ? this.tmUp : this.rmUp[rm] === 1;
      if (up && this.linked(rm)) kinds.push(DELIVER), args.push(m);
    }
    if (this.tmUp && this.tmState === INIT) {
      if (this.tmPrepared === this.all) kinds.push(ENV), args.push(DECIDE_COMMIT * 16);
      kinds.push(ENV), args.push(TM_TIMEOUT * 16);
    }
    for (let r = 0; r < this.rms; r++) {
      if (this.rmUp[r] !== 1) continue;
      const s = this.rmStatus[r];
      if (s === WORKING) kinds.push(ENV, ENV), args.push(PREPARE * 16 + r, CHOOSE_TO_ABORT * 16 + r);
      else if (s === PREPARED) kinds.push(ENV), args.push(RM_TIMEOUT * 16 + r);
    }
    if (this.usedLoss < this.faults.loss) for (const m of distinct) kinds.push(DROP), args.push(m);
    if (this.usedDup < this.faults.duplicate) for (const m of distinct) kinds.push(DUPLICATE), args.push(m);
    if (this.usedCrash < this.faults.crash) {
      if (this.tmUp) kinds.push(CRASH), args.push(-1);
      for (let r = 0; r < this.rms; r++) if (this.rmUp[r] === 1) kinds.push(CRASH), args.push(r);
    }
    if (!this.tmUp) kinds.push(RESTART), args.push(-1);
    for (let r = 0; r < this.rms; r++) if (this.rmUp[r] !== 1) kinds.push(RESTART), args.push(r);
    if (this.partition < 0 && this.usedPartition < this.faults.partition) {
      for (let mask = 0; mask < this.all; mask++) kinds.push(PARTITION), args.push(mask);
    }
    if (this.partition >= 0) kinds.push(HEAL), args.push(0);
  }

  private choose(swarm: Swarm, choice: number): number {
    const kinds = this.kinds;
    let total = 0;
    const w: number[] = [];
    for (let j = 0; j < kinds.length; j++) {
      const weight = this.weight(swarm, kinds[j]!, this.args[j]!);
      w.push(weight);
      total += weight;
    }
    if (total === 0) return -1;
    let at = choice % total;
    for (let j = 0; j < kinds.length; j++) {
      if (at < w[j]!) return j;
      at -= w[j]!;
    }
    return -1;
  }

  private weight(swarm: Swarm, kind: number, arg: number): number {
    if (kind === DROP) return swarm.loss ? KIND_WEIGHT[DROP]! : 0;
    if (kind === DUPLICATE) return swarm.duplicate ? KIND_WEIGHT[DUPLICATE]! : 0;
    if (kind === CRASH) return swarm.crash ? KIND_WEIGHT[CRASH]! : 0;
    if (kind === PARTITION) return swarm.partition ? KIND_WEIGHT[PARTITION]! : 0;
    if (kind === ENV) return EVENT_WEIGHT[arg >> 4]!;
    return KIND_WEIGHT[kind]!;
  }

  private apply(kind: number, arg: number): void {
    switch (kind) {
      case DELIVER:
        this.removeFirst(arg);
        this.deliver(arg);
        break;
      case ENV:
        this.env(arg >> 4, arg & 15);
        break;
      case DROP:
        this.removeFirst(arg);
        this.usedLoss++;
        break;
      case DUPLICATE:
        this.net.push(arg);
        this.usedDup++;
        break;
      case CRASH:
        this.usedCrash++;
        if (arg < 0) {
          this.tmUp = false;
          this.tmPrepared = 0; // volatile: lost
          this.tmState = INIT;
        } else this.rmUp[arg] = 0;
        break;
      case RESTART:
        if (arg < 0) this.restartTm();
        else this.restartRm(arg);
        break;
      case PARTITION:
        this.partition = arg;
        this.usedPartition++;
        break;
      case HEAL:
        this.partition = -1;
        break;
    }
  }

  private removeFirst(m: number): void {
    const at = this.net.indexOf(m);
    this.net = this.net.slice(0, at).concat(this.net.slice(at + 1));
  }

  private send(m: number): void {
    this.net = this.net.concat(m);
  }

  private decided(decision: number): void {
    if (decision === COMMIT) this.decidedCommit = true;
    else this.decidedAbort = true;
  }

  private broadcast(): void {
    const kind = this.tmDecision === COMMIT ? COMMIT_MSG : ABORT_MSG;
    for (let r = 0; r < this.rms; r++) this.send(kind * 16 + r);
  }

  private deliver(m: number): void {
    const kind = m >> 4;
    const rm = m & 15;
    if (kind === PREPARED_MSG) {
      if (this.tmState === INIT) this.tmPrepared |= 1 << rm;
      else this.send((this.tmDecision === COMMIT ? COMMIT_MSG : ABORT_MSG) * 16 + rm); // answer with the decision
    } else {
      this.rmStatus[rm] = kind === COMMIT_MSG ? RM_COMMITTED : RM_ABORTED; // the decision is final, in any state
    }
  }

  private env(event: number, rm: number): void {
    switch (event) {
      case DECIDE_COMMIT:
      case TM_TIMEOUT:
        this.tmState = event === DECIDE_COMMIT ? COMMITTED : ABORTED;
        this.tmDecision = event === DECIDE_COMMIT ? COMMIT : ABORT;
        this.decided(this.tmDecision);
        this.broadcast();
        break;
      case PREPARE:
        this.rmStatus[rm] = PREPARED;
        this.voted |= 1 << rm;
        this.send(PREPARED_MSG * 16 + rm);
        break;
      case CHOOSE_TO_ABORT:
        this.rmStatus[rm] = RM_ABORTED;
        break;
      case RM_TIMEOUT:
        this.send(PREPARED_MSG * 16 + rm);
        break;
    }
  }

  private restartTm(): void {
    this.tmUp = true;
    this.tmPrepared = 0;
    this.recovered |= 1 << this.rms;
    this.recoveredDecision |= 1 << this.tmDecision;
    if (!this.decidedCommit && !this.decidedAbort) this.recoveredBeforeDecided = true;
    if (this.tmDecision === NONE) {
      this.tmState = INIT;
      return;
    }
    this.tmState = this.tmDecision === COMMIT ? COMMITTED : ABORTED;
    this.broadcast();
  }

  private restartRm(rm: number): void {
    this.rmUp[rm] = 1;
    this.recovered |= 1 << rm;
    this.recoveredStatus[rm]! |= 1 << this.rmStatus[rm]!;
    if (!this.decidedCommit && !this.decidedAbort) this.recoveredBeforeDecided = true;
    const s = this.rmStatus[rm];
    if (s === WORKING) this.rmStatus[rm] = RM_ABORTED; // its work is lost: a unilateral no
    else if (s === PREPARED) this.send(PREPARED_MSG * 16 + rm);
  }

  /** Fingerprints the world (same equivalence as the kit's worldKey) and checks the witnesses. */
  private observe(): void {
    let h1 = mix(0x6a09e667, (this.tmUp ? 1 : 0) | (this.tmState << 1) | (this.tmDecision << 3) | (this.tmPrepared << 5));
    let h2 = mix(0xbb67ae85, h1);
    for (let r = 0; r < this.rms; r++) {
      h1 = mix(h1, this.rmUp[r]! | (this.rmStatus[r]! << 1));
      h2 = mix(h2 ^ 0x5bd1e995, h1);
    }
    let s1 = 0;
    let s2 = 0;
    for (const m of this.net) {
      s1 = (s1 + mix(0x27d4eb2d, m)) | 0;
      s2 = (s2 + mix(0x165667b1, m)) | 0;
    }
    h1 = mix(mix(h1, s1), this.net.length);
    h2 = mix(mix(h2, s2), this.net.length);
    const faults = this.usedLoss | (this.usedDup << 8) | (this.usedCrash << 16) | (this.usedPartition << 24);
    const observations = this.voted | ((this.decidedCommit ? 1 : 0) << 13) | ((this.decidedAbort ? 1 : 0) << 14) | (this.recovered << 15);
    if (this.recoveredCarriesLog) {
      for (let r = 0; r < this.rms; r++) h1 = mix(h1, this.recoveredStatus[r]!);
      h1 = mix(h1, this.recoveredDecision);
    }
    h1 = mix(mix(mix(h1, faults), observations), this.partition);
    h2 = mix(mix(mix(h2, faults ^ 0x9e3779b9), observations), this.partition ^ h1);
    this.distinct.add({ hi: h1 >>> 0, lo: h2 >>> 0 });

    let allCommitted = true;
    let allAborted = true;
    for (let r = 0; r < this.rms; r++) {
      const up = this.rmUp[r] === 1;
      if (!up || this.rmStatus[r] !== RM_COMMITTED) allCommitted = false;
      if (!up || this.rmStatus[r] !== RM_ABORTED) allAborted = false;
    }
    if (allCommitted) {
      this.reached.commits = true;
      if (this.recoveredBeforeDecided) this.reached.commitsAfterRecovery = true;
    }
    if (allAborted && this.tmDecision === ABORT) this.reached.aborts = true;
  }

  /** The suite's four invariants: consistency, decision-never-changes, agreement, commit-needs-all-prepared. */
  private violated(): boolean {
    let committed = false;
    let aborted = false;
    for (let r = 0; r < this.rms; r++) {
      if (this.rmStatus[r] === RM_COMMITTED) committed = true;
      if (this.rmStatus[r] === RM_ABORTED) aborted = true;
    }
    if (committed && aborted) return true;
    if (this.decidedCommit && this.decidedAbort) return true;
    if (committed && !this.decidedCommit) return true;
    if (this.decidedCommit && this.voted !== this.all) return true;
    return false;
  }
}

function mix(h: number, k: number): number {
  k = Math.imul(k, 0xcc9e2d51);
  k = (k << 15) | (k >>> 17);
  h ^= Math.imul(k, 0x1b873593);
  h = (h << 13) | (h >>> 19);
  h = (Math.imul(h, 5) + 0xe6546b64) | 0;
  h ^= h >>> 16;
  return Math.imul(h, 0x85ebca6b);
}
