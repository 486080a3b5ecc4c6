/**
 * `protokit studio [MODEL]`: serves the interactive state-space explorer (src/studio/) on
 * loopback, prints its address (with the session's token) and serves until Ctrl-C (exit 130).
 */
import { UsageError } from '../engine/errors.js';
import { loadSessionTrace, specOfTrace } from '../studio/catalogue.js';
import { startStudio } from '../studio/server.js';
import { instanceOf, type Spec } from '../studio/spec.js';
import { walk } from '../studio/walk.js';
import { safeLine as s } from '../render/safe-text.js';
import { findSuite, loadSuites } from './registry.js';
import { NETWORKS } from './common.js';
import type { NetworkSemantics } from '../engine/faults.js';

export interface StudioCommandOptions {
  config: string[];
  mutant?: string;
  faults?: string | boolean;
  network?: string;
  trace?: string;
  load?: string;
  out: string;
  port?: number;
  host: string;
}

/** Addresses only this machine reaches: 127.0.0.0/8, ::1, localhost. */
const isLoopback = (host: string) => /^127(\.\d{1,3}){3}$/.test(host) || host === '::1' || host === 'localhost';

export async function studioCommand(model: string | undefined, options: StudioCommandOptions): Promise<number> {
  if (options.port !== undefined && options.port > 65_535) throw new UsageError(`--port ${options.port}: accepted 0..65535 (0: any free port)`);
  if (options.network !== undefined && !NETWORKS.includes(options.network as NetworkSemantics)) throw new UsageError(`unknown network '${options.network}' (accepted: ${NETWORKS.join(', ')})`);
  const suites = await loadSuites(options.load);
  if (suites.length === 0) throw new UsageError('no model to explore');
  const initial = initialSpec(suites, model, options);
  // A bad configuration is refused here, with exit 2, before anything is served.
  walk(instanceOf(findSuite(suites, initial.model), initial), initial.path);

  let studio;
  try {
    studio = await startStudio({ suites, out: options.out, tracesDir: options.out, trace: options.trace, load: options.load, initial, host: options.host, port: options.port ?? 0 });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE' || code === 'EADDRNOTAVAIL' || code === 'EACCES' || code === 'ENOTFOUND') {
      throw new UsageError(`cannot listen on ${options.host}:${options.port ?? 0}: ${code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'not permitted' : 'no such address here'}`);
    }
    throw error;
  }
  const out = process.stdout;
  out.write(`protokit studio: ${studio.url}\n`);
  const others = suites.length - 1;
  out.write(`  opens ${s(initial.model)}${others ? ` (${others} other model${others === 1 ? '' : 's'} in the page's list)` : ''}; ${studio.catalogue.entries.length} saved trace${studio.catalogue.entries.length === 1 ? '' : 's'} listed from ${s(options.out)}/; saves go to ${s(options.out)}/<model>/\n`);
  if (studio.catalogue.skipped.length) out.write(`  ${studio.catalogue.skipped.length} trace file(s) not listed (unreadable or of a model not loaded)\n`);
  if (!isLoopback(options.host)) {
    process.stderr.write(`protokit studio: warning: serving on ${s(options.host)}, not loopback: anyone who can reach it and has the address (its token) can run models here and write traces under ${s(options.out)}/\n`);
  }
  out.write('  Ctrl-C stops it.\n');
  await new Promise<void>((resolve) => process.once('SIGINT', () => resolve()));
  await studio.close();
  return 130;
}

/** What the page opens first: the trace given with --trace (its whole path), else MODEL (or the first model) at its initial world. */
function initialSpec(suites: Parameters<typeof findSuite>[0], model: string | undefined, options: StudioCommandOptions): Spec {
  if (options.trace !== undefined) {
    if (model !== undefined || options.config.length || options.mutant || options.faults !== undefined || options.network) {
      throw new UsageError('--trace opens the trace with its own model, config, mutant and faults: leave out MODEL, --config, --mutant, --faults and --network');
    }
    return specOfTrace(suites, loadSessionTrace(suites, options.trace));
  }
  const suite = model === undefined ? suites[0]! : findSuite(suites, model);
  return {
    model: suite.model.name,
    config: options.config,
    mutant: options.mutant ?? null,
    faults: options.faults === false ? 'none' : typeof options.faults === 'string' ? options.faults : null,
    network: (options.network as NetworkSemantics | undefined) ?? null,
    path: [],
  };
}
