/**
 * The registry: every suite the command line knows, in the catalogue's order (catalogue.ts names
 * them and loads one at a time; this loads them all).
 */
import { type Suite } from '../src/index.js';
import { catalogue } from './catalogue.js';

export const suites: readonly Suite[] = await Promise.all(catalogue.map((entry) => entry.load()));
