/**
 * Fault settings: which faults a run allows and how many of each. They are configuration,
 * printed with every result and stored in every trace, so what a run allowed is explicit.
 */
import { UsageError } from './errors.js';

/**
 * - `unordered`: any in-flight message may be delivered next (the default);
 * - `fifo`: per link (sender, receiver), only the oldest message may be delivered;
 * - `set`: the network is the set of every message ever sent, as in TLA+ specifications:
 *   delivering does not consume, identical messages are one, loss is never receiving.
 */
export type NetworkSemantics = 'unordered' | 'fifo' | 'set';

export const FAULT_KINDS = ['loss', 'duplicate', 'crash', 'partition'] as const;
export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultSettings {
  readonly network: NetworkSemantics;
  /** How many faults of each kind one run may inject; 0 switches the fault off. */
  readonly loss: number;
  readonly duplicate: number;
  readonly crash: number;
  readonly partition: number;
}

export const NO_FAULTS: FaultSettings = { network: 'unordered', loss: 0, duplicate: 0, crash: 0, partition: 0 };

/** The bound used when a fault is named without one (`--faults crash`). */
export const DEFAULT_BOUND: Record<FaultKind, number> = { loss: 3, duplicate: 3, crash: 2, partition: 2 };

/**
 * Parses `--faults loss,crash=1,partition`. Fault kinds not named are off; a bare name takes
 * its default bound.
 */
export function parseFaults(text: string, network: NetworkSemantics): FaultSettings {
  const settings: Record<string, number | string> = { ...NO_FAULTS, network };
  if (text.trim() === '' || text === 'none') return settings as unknown as FaultSettings;
  for (const part of text.split(',')) {
    const [rawName, rawBound] = part.split('=');
    const name = rawName!.trim();
    if (!(FAULT_KINDS as readonly string[]).includes(name)) {
      throw new UsageError(`unknown fault '${name}' (accepted: ${FAULT_KINDS.join(', ')}, each optionally =N)`);
    }
    let bound = DEFAULT_BOUND[name as FaultKind];
    if (rawBound !== undefined) {
      if (!/^\d+$/.test(rawBound.trim())) throw new UsageError(`fault bound '${part}' must be a whole number, e.g. ${name}=2`);
      bound = Number(rawBound);
    }
    settings[name] = bound;
  }
  return settings as unknown as FaultSettings;
}

/** `unordered network; loss≤3, duplicate≤3, crash≤2, partition off` */
export function describeFaults(f: FaultSettings): string {
  const parts = FAULT_KINDS.map((k) => (f[k] > 0 ? `${k}≤${f[k]}` : `${k} off`));
  return `${f.network} network; ${parts.join(', ')}`;
}
