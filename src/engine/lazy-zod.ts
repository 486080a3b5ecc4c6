/**
 * zod, loaded when first needed. A static import loads its ~90 module files at start-up, about
 * a fifth of what `protokit list` spends before it prints (bench/results.md, Start-up), although
 * only reading a trace or a checkpoint validates anything. ES modules have no synchronous lazy
 * import, so this takes zod's CommonJS build through `require`; the types are the same package's.
 */
import { createRequire } from 'node:module';
import type * as Zod from 'zod';

let loaded: typeof Zod | undefined;

export function zod(): typeof Zod {
  return (loaded ??= createRequire(import.meta.url)('zod') as typeof Zod);
}
