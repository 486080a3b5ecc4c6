/**
 * The specifications shipped with the kit: a read/write register, a compare-and-set register and
 * a key-value store (get/put/append by key, partitioned by key). Users write their own the same way.
 */
import type { History, Operation } from './history.js';
import { hashString, type Specification } from './spec.js';

/** A register's value: `null` before the first write (Jepsen's `nil`). */
export type RegisterValue = number | string | null;

export type RegisterInput = { readonly f: 'read' } | { readonly f: 'write'; readonly value: RegisterValue };
export type CasRegisterInput = RegisterInput | { readonly f: 'cas'; readonly from: RegisterValue; readonly to: RegisterValue };
/** A read returns the value; a write returns nothing (null); a compare-and-set returns whether it swapped. */
export type RegisterOutput = RegisterValue | boolean;

function valueHash(v: RegisterValue): number {
  if (v === null) return 0x9e3779b9;
  if (typeof v === 'number') return Number.isInteger(v) && Math.abs(v) < 2 ** 31 ? Math.imul(v ^ 0x5bd1e995, 0x27d4eb2d) >>> 0 : hashString(`n${v}`);
  return hashString(`s${v}`);
}

function show(v: RegisterValue): string {
  return v === null ? 'nil' : typeof v === 'string' ? JSON.stringify(v) : String(v);
}

function registerStep(state: RegisterValue, input: CasRegisterInput, output: RegisterOutput | undefined): { ok: boolean; next: RegisterValue } {
  switch (input.f) {
    case 'read':
      return { ok: output === undefined || output === state, next: state };
    case 'write':
      return { ok: true, next: input.value };
    case 'cas': {
      const swaps = state === input.from;
      if (output === undefined) return { ok: true, next: swaps ? input.to : state };
      return { ok: output === swaps, next: swaps ? input.to : state };
    }
  }
}

function describeRegisterOp(input: CasRegisterInput, output: RegisterOutput | undefined): string {
  const result = output === undefined ? ' → ?' : '';
  switch (input.f) {
    case 'read':
      return `read${output === undefined ? result : ` → ${show(output as RegisterValue)}`}`;
    case 'write':
      return `write ${show(input.value)}${result}`;
    case 'cas':
      return `cas ${show(input.from)}→${show(input.to)}${output === undefined ? result : ` → ${String(output)}`}`;
  }
}

/** Since 0.2.0. A read/write register, initially `null`. */
export const register: Specification<RegisterValue, RegisterInput, RegisterOutput> = {
  name: 'register',
  init: () => null,
  step: registerStep,
  equal: (a, b) => a === b,
  hash: valueHash,
  describeState: show,
  describeOperation: describeRegisterOp,
};

/**
 * Since 0.2.0. A register with compare-and-set, initially `null`. A failed compare-and-set
 * happened and returned false (as in Jepsen's etcd test).
 */
export const casRegister: Specification<RegisterValue, CasRegisterInput, RegisterOutput> = {
  name: 'cas-register',
  init: () => null,
  step: registerStep,
  failedOutput: (input) => (input.f === 'cas' ? false : undefined),
  equal: (a, b) => a === b,
  hash: valueHash,
  describeState: show,
  describeOperation: describeRegisterOp,
};

export type KvInput =
  | { readonly f: 'get'; readonly key: string }
  | { readonly f: 'put'; readonly key: string; readonly value: string }
  | { readonly f: 'append'; readonly key: string; readonly value: string };
/** A get returns the value (`''` for a key never written); put and append return nothing (null). */
export type KvOutput = string | null;

/**
 * Since 0.2.0. A key-value store of strings: `get`, `put`, `append` (a key never written reads as
 * `''`). Partitioned by key, so the state the checker sees is the value of one key.
 */
export const kv: Specification<string, KvInput, KvOutput> = {
  name: 'kv',
  init: () => '',
  step(state, input, output) {
    switch (input.f) {
      case 'get':
        return { ok: output === undefined || (output ?? '') === state, next: state };
      case 'put':
        return { ok: true, next: input.value };
      case 'append':
        return { ok: true, next: state + input.value };
    }
  },
  partition(history: History<KvInput, KvOutput>): History<KvInput, KvOutput>[] {
    const byKey = new Map<string, Operation<KvInput, KvOutput>[]>();
    for (const op of history) {
      const part = byKey.get(op.input.key);
      if (part === undefined) byKey.set(op.input.key, [op]);
      else part.push(op);
    }
    return [...byKey.keys()].sort().map((k) => byKey.get(k)!);
  },
  equal: (a, b) => a === b,
  hash: hashString,
  describeState: (s) => JSON.stringify(s),
  describeOperation(input, output) {
    const key = JSON.stringify(input.key);
    if (input.f === 'get') return `get ${key}${output === undefined ? ' → ?' : ` → ${JSON.stringify(output ?? '')}`}`;
    return `${input.f} ${key} ${JSON.stringify(input.value)}`;
  },
};
