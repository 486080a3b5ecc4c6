/** `protokit replay TRACE` and `protokit show TRACE`. */
import pc from 'picocolors';
import { formatAction, type Action } from '../actions.js';
import { UsageError } from '../errors.js';
import { loadTrace } from '../trace/file.js';
import { replay } from '../trace/replay.js';
import { renderText } from '../render/text.js';
import { writeFileAtomic } from '../trace/file.js';
import { COMMAND, shellArg } from './common.js';
import { findSuite, loadSuites } from './registry.js';

export async function replayCommand(path: string, options: { json?: boolean; load?: string }): Promise<number> {
  const trace = loadTrace(path);
  const suite = findSuite(await loadSuites(options.load), trace.model);
  const started = performance.now(); // allow-clock: reports elapsed time only
  const result = replay(suite, trace);
  const v = result.violation;
  const elapsedMs = Math.round(performance.now() - started); // allow-clock
  if (options.json) {
    process.stdout.write(
      JSON.stringify({
        model: trace.model,
        preset: trace.preset,
        config: trace.config,
        mutant: trace.mutant,
        elapsedMs,
        steps: result.execution.worlds.length - 1,
        expect: trace.expect,
        violation: v && { property: v.property, message: v.message, step: v.step, trace: path },
      }) + '\n',
    );
  } else {
    const c = process.stdout.isTTY ? pc : pc.createColors(false);
    const steps = result.execution.worlds.length - 1;
    (trace.actions as Action[]).slice(0, steps).forEach((a, k) => process.stdout.write(`${String(k + 1).padStart(3)}  ${formatAction(a)}\n`));
    if (v) {
      process.stdout.write(c.red(`✗ step ${v.step}: ${v.property} violated — ${v.message}\n`));
      process.stdout.write(`  reproduced as recorded; read it step by step: ${COMMAND} show ${shellArg(path)}\n`);
    } else {
      process.stdout.write(c.green(`✓ replayed ${steps} steps; no property violated${trace.expect === 'pass' ? ' (as recorded: the bug stays fixed)' : ''}\n`));
    }
  }
  return v ? 1 : 0;
}

export const SHOW_FORMATS = ['text'] as const;

export async function showCommand(path: string, options: { format: string; out?: string; load?: string }): Promise<number> {
  if (!(SHOW_FORMATS as readonly string[]).includes(options.format)) {
    throw new UsageError(`unknown format '${options.format}' (accepted: ${SHOW_FORMATS.join(', ')})`);
  }
  const trace = loadTrace(path);
  const suite = findSuite(await loadSuites(options.load), trace.model);
  const result = replay(suite, trace);
  const color = options.out === undefined && process.stdout.isTTY;
  const text = renderText(suite, trace, result.instance, result.execution.worlds, { color });
  if (options.out !== undefined) {
    writeFileAtomic(options.out, text);
    process.stderr.write(`wrote ${options.out}\n`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}
