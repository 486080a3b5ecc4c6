/**
 * Time and chance for a running node: the one place where a node reads the clock, sets timers or
 * draws random numbers (the machines never do: they stay the pure functions that were checked).
 * `systemClock` is the real one; `manualClock` is a deterministic one for tests, advanced by hand.
 */

/** What a running node needs from time and chance. */
export interface Clock {
  /** Milliseconds since some fixed origin. */
  now(): number;
  /** Calls `fn` once after `ms` milliseconds; the handle cancels it. */
  setTimer(fn: () => void, ms: number): unknown;
  clearTimer(handle: unknown): void;
  /** A number in [0, 1), for timer jitter. */
  random(): number;
}

/** Since 0.2.0. The process's clock, timers and `Math.random`. */
export const systemClock: Clock = {
  now: () => Date.now(),
  setTimer: (fn, ms) => setTimeout(fn, ms),
  clearTimer: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  random: () => Math.random(),
};

/** A clock moved by hand: timers fire only inside `advance`, random numbers come from a seed. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing every timer that falls due, in due order. */
  advance(ms: number): void;
  /** Timers set and not yet fired or cleared. */
  pending(): number;
}

/** Since 0.2.0. A deterministic clock for tests: time starts at 0, randomness is seeded (mulberry32). */
export function manualClock(seed = 1): ManualClock {
  let time = 0;
  let nextId = 1;
  let state = seed >>> 0;
  const timers = new Map<number, { at: number; fn: () => void }>();
  return {
    now: () => time,
    setTimer(fn, ms) {
      const id = nextId++;
      timers.set(id, { at: time + Math.max(0, ms), fn });
      return id;
    },
    clearTimer: (handle) => void timers.delete(handle as number),
    random() {
      state = (state + 0x6d2b79f5) | 0;
      let t = Math.imul(state ^ (state >>> 15), 1 | state);
      t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    },
    advance(ms) {
      const until = time + ms;
      for (;;) {
        let due: [number, { at: number; fn: () => void }] | undefined;
        for (const entry of timers) if (entry[1].at <= until && (due === undefined || entry[1].at < due[1].at)) due = entry;
        if (due === undefined) break;
        timers.delete(due[0]);
        time = due[1].at;
        due[1].fn();
      }
      time = until;
    },
    pending: () => timers.size,
  };
}
