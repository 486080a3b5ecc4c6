/**
 * The saved traces a studio session may open: those under the traces directory (one folder per
 * model, as `check` and `explore` write them) and the one given with `--trace`. The server lists
 * them once, at start; the page asks for one by its number in that list, so no file path ever
 * comes from a request.
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Action } from '../engine/actions.js';
import { UsageError } from '../engine/errors.js';
import type { Suite } from '../properties/suite.js';
import { loadTrace } from '../trace/file.js';
import type { Trace } from '../trace/format.js';
import { instanceOfTrace } from '../trace/replay.js';
import { faultsText, type Spec } from './spec.js';
import { pathOfActions } from './walk.js';

/** Traces listed at most (a huge traces folder does not make the page huge). */
const MAX_TRACES = 1_000;

export interface CatalogueEntry {
  readonly id: number;
  /** Where it is, relative to the current folder. */
  readonly file: string;
  readonly model: string;
  readonly mutant: string | null;
  readonly steps: number;
  readonly violation: { readonly property: string; readonly step: number; readonly message: string } | null;
}

export interface Catalogue {
  readonly entries: readonly CatalogueEntry[];
  /** Traces left out, one line each (unreadable, of a model this session does not have, past the limit). */
  readonly skipped: readonly string[];
  readonly traces: readonly Trace[];
}

/** The traces under `dir/<model>/` for the session's models, then `extra` (which must load: it is a UsageError otherwise). */
export function catalogueOf(suites: readonly Suite[], dir: string, extra: string | undefined): Catalogue {
  const files: string[] = [];
  for (const suite of suites) {
    const folder = join(dir, suite.model.name);
    if (!existsSync(folder) || !statSync(folder).isDirectory()) continue;
    for (const name of readdirSync(folder).sort()) if (name.endsWith('.json')) files.push(join(folder, name));
  }
  const entries: CatalogueEntry[] = [];
  const traces: Trace[] = [];
  const skipped: string[] = [];
  const add = (file: string, trace: Trace) => {
    entries.push({
      id: entries.length,
      file: relative(process.cwd(), file) || file,
      model: trace.model,
      mutant: trace.mutant,
      steps: trace.actions.length,
      violation: trace.violation && { property: trace.violation.property, step: trace.violation.step, message: trace.violation.message },
    });
    traces.push(trace);
  };
  if (extra !== undefined) add(extra, loadSessionTrace(suites, extra));
  for (const file of files) {
    if (entries.length >= MAX_TRACES) {
      skipped.push(`${file}: past the first ${MAX_TRACES} traces`);
      continue;
    }
    try {
      const trace = loadTrace(file);
      if (suites.some((s) => s.model.name === trace.model)) add(file, trace);
      else skipped.push(`${file}: model '${trace.model}' is not loaded`);
    } catch (error) {
      skipped.push(error instanceof Error ? error.message : String(error));
    }
  }
  return { entries, skipped, traces };
}

/** The trace at `file` (`--trace`), of one of the session's models; a UsageError otherwise. */
export function loadSessionTrace(suites: readonly Suite[], file: string): Trace {
  const trace = loadTrace(file);
  if (!suites.some((s) => s.model.name === trace.model)) throw new UsageError(`--trace ${file}: its model '${trace.model}' is not loaded (models: ${suites.map((s) => s.model.name).join(', ')}); give --load with its suite`);
  return trace;
}

/** The spec of a trace: its model, configuration, mutant and faults, and its actions as a path. */
export function specOfTrace(suites: readonly Suite[], trace: Trace): Spec {
  const suite = suites.find((s) => s.model.name === trace.model)!;
  const instance = instanceOfTrace(suite, trace);
  const config = Object.entries(trace.config).map(([k, v]) => `${k}=${v}`);
  return {
    model: trace.model,
    // The resolved parameters, and the preset (its faults are in the trace's own, given below).
    config: trace.preset ? [...config, `preset=${trace.preset}`] : config,
    mutant: trace.mutant,
    faults: faultsText(trace.faults),
    network: trace.faults.network,
    path: pathOfActions(instance, trace.actions as Action[]),
  };
}
