/** Option parsing shared by the commands: numbers, `--config` pairs, fault lists. */
import { InvalidArgumentError } from 'commander';
import { FAULT_KINDS, parseFaults, type FaultSettings, type NetworkSemantics } from '../engine/faults.js';
import { MAX_FAULT_BOUND } from '../trace/format.js';
import type { Model } from '../engine/model.js';
import { UsageError } from '../engine/errors.js';
import { PRESET_KEY } from '../engine/instance.js';

export function positiveInt(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()) || Number(value) < 1 || !Number.isSafeInteger(Number(value))) {
      throw new InvalidArgumentError(`${name} takes a positive whole number, not '${value}'`);
    }
    return Number(value);
  };
}

export function nonNegativeInt(name: string) {
  return (value: string): number => {
    if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(Number(value))) {
      throw new InvalidArgumentError(`${name} takes a whole number (0 or more), not '${value}'`);
    }
    return Number(value);
  };
}

/**
 * A fraction from 0 to 1 written as a decimal (`0.8`, `1`, `.5`); anything else (an empty
 * string, which Number() reads as 0, `NaN`, `1e-1`, a percentage) is a UsageError.
 */
export function fraction(name: string, value: string): number {
  const n = Number(value);
  if (!/^\s*(\d+(\.\d*)?|\.\d+)\s*$/.test(value) || !(n >= 0 && n <= 1)) throw new UsageError(`${name} takes a fraction from 0 to 1 (e.g. 0.8), not '${value}'`);
  return n;
}

/** Collects repeated `--config key=value` options (a value may also hold several, space-separated). */
export function collectConfig(value: string, previous: string[] = []): string[] {
  return [...previous, ...value.split(/\s+/).filter(Boolean)];
}

/** Collects a repeatable option's values (`--property a --property b`). */
export function collectNames(value: string, previous: string[] = []): string[] {
  return [...previous, value];
}

/**
 * `--config` takes several pairs at once, so `--config x=1 MODEL` reads MODEL as a pair. When no
 * model was named, a value without '=' is that model: say to name it first.
 */
export function refuseModelAfterConfig(command: string, modelName: string | undefined, pairs: readonly string[]): void {
  const stray = pairs.find((pair) => !pair.includes('='));
  if (modelName === undefined && stray !== undefined) {
    throw new UsageError(`--config takes key=value pairs, not '${stray}'; name the model before --config (protokit ${command} ${stray} --config ...)`);
  }
}

export function parseConfigPairs(pairs: readonly string[]): Record<string, string> {
  // A Map, then fromEntries: `config['__proto__'] = v` would set the prototype instead of a key.
  const config = new Map<string, string>();
  for (const pair of pairs) {
    const at = pair.indexOf('=');
    if (at <= 0 || at === pair.length - 1) throw new UsageError(`--config takes key=value (e.g. rms=4 or ${PRESET_KEY}=tla), not '${pair}'`);
    const key = pair.slice(0, at).trim();
    if (config.has(key)) throw new UsageError(`--config ${key} is given twice; give it once`);
    config.set(key, pair.slice(at + 1).trim());
  }
  return Object.fromEntries(config);
}

export const NETWORKS: readonly NetworkSemantics[] = ['unordered', 'fifo', 'set'];

/**
 * The fault settings the command line asks for, or undefined to keep the model's (or its
 * preset's). `--no-faults` switches every fault off; `--faults LIST` names the ones allowed.
 */
export function faultsFromOptions(model: Model, faults: string | boolean | undefined, network: string | undefined): FaultSettings | undefined {
  if (network !== undefined && !NETWORKS.includes(network as NetworkSemantics)) {
    throw new UsageError(`unknown network '${network}' (accepted: ${NETWORKS.join(', ')})`);
  }
  const net = (network ?? model.faults.network) as NetworkSemantics;
  if (faults === false) return parseFaults('', net);
  if (typeof faults === 'string') return withinTraceBounds(parseFaults(faults, net));
  if (network !== undefined) return { ...model.faults, network: net };
  return undefined;
}

/** Fault bounds a trace can hold (so the trace of the run loads again), or a UsageError. */
function withinTraceBounds(settings: FaultSettings): FaultSettings {
  for (const kind of FAULT_KINDS) {
    if (settings[kind] > MAX_FAULT_BOUND) {
      throw new UsageError(`fault bound ${kind}=${settings[kind]} is too large (accepted: 0..${MAX_FAULT_BOUND.toLocaleString('en-US')})`);
    }
  }
  return settings;
}

/**
 * Whether to colour what goes to `stream`: never with NO_COLOR, always with FORCE_COLOR, otherwise
 * only on a terminal (not in pipes or CI logs, where escape codes would corrupt what scripts read).
 */
export function useColor(stream: NodeJS.WriteStream = process.stdout): boolean {
  if ('NO_COLOR' in process.env) return false;
  if ('FORCE_COLOR' in process.env) return process.env.FORCE_COLOR !== '0';
  return stream.isTTY === true;
}

/**
 * A whole number with a comma every three digits, as `toLocaleString('en-US')` prints it, without
 * Intl: its first use costs some 20 ms of a command's start-up. Anything but a safe integer goes to
 * toLocaleString.
 */
export function grouped(n: number): string {
  if (!Number.isSafeInteger(n)) return n.toLocaleString('en-US');
  return `${n < 0 ? '-' : ''}${String(Math.abs(n)).replace(/\B(?=(\d{3})+$)/g, ',')}`;
}

export function formatMs(ms: number): string {
  return ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`;
}

/** How to run protokit from a clone of this repository. */
export const COMMAND = 'npx protokit';

/** Shell-quotes an argument when it needs it. */
export function shellArg(arg: string): string {
  return /^[\w./=:,@+-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Exit code 5: inconclusive, a verdict that depends on what a bound cut off (a liveness
 * property whose verdict needs states --max-in-flight, --max-depth or --max-states left
 * unexpanded; and, for other commands, budgets that ran out). One constant for every command.
 */
export const EXIT_INCONCLUSIVE = 5;
