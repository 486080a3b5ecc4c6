/** `protokit replay TRACE [--until N]` and `protokit show TRACE --format text|mermaid|itf|html`. */
import pc from 'picocolors';
import { formatAction, type Action } from '../engine/actions.js';
import { UsageError } from '../engine/errors.js';
import type { Instance } from '../engine/instance.js';
import { compact, describeNetwork, stateName } from '../render/describe.js';
import { renderTrace, SHOW_FORMATS, type ShowFormat } from '../render/trace.js';
import { loadTrace, writeFileAtomic } from '../trace/file.js';
import { replay } from '../trace/replay.js';
import type { World } from '../engine/world.js';
import { safeLine as s } from '../render/safe-text.js';
import { lassoVerdictLines } from '../render/verdict.js';
import { COMMAND, shellArg, useColor } from './common.js';
import { suiteForTrace } from './registry.js';

export interface ReplayCommandOptions {
  json?: boolean;
  load?: string;
  /** Stop after this many actions and show the world there. */
  until?: number;
}

export async function replayCommand(path: string, options: ReplayCommandOptions): Promise<number> {
  const trace = loadTrace(path);
  const until_ = options.until === undefined ? '' : ` --until ${options.until}`;
  const json = options.json ? ' --json' : '';
  const suite = await suiteForTrace(trace, path, options.load, (load) => `${COMMAND} replay ${shellArg(path)}${until_}${json} --load ${shellArg(load)}`);
  const until = options.until;
  if (until !== undefined && until > trace.actions.length) {
    throw new UsageError(`--until ${until}: the trace has ${trace.actions.length} steps (accepted: 0..${trace.actions.length})`);
  }
  const started = performance.now(); // allow-clock: reports elapsed time only
  const result = replay(suite, trace, until);
  const v = result.violation;
  const elapsedMs = Math.round(performance.now() - started); // allow-clock
  const worlds = result.execution.worlds;
  const steps = worlds.length - 1;
  const world = worlds[steps]!;
  if (options.json) {
    process.stdout.write(
      JSON.stringify({
        model: trace.model,
        preset: trace.preset,
        config: trace.config,
        mutant: trace.mutant,
        elapsedMs,
        steps,
        expect: trace.expect,
        violation: v && {
          property: v.property,
          kind: trace.violation?.kind ?? 'safety',
          message: v.message,
          step: v.step,
          ...(trace.violation?.loopStart !== undefined ? { loopStart: trace.violation.loopStart } : {}),
          trace: path,
        },
        // What the file claims, and where replay found otherwise (empty: every claim confirmed).
        recorded: trace.violation,
        differences: result.differences,
        ...(until !== undefined ? { until, world: worldJson(result.instance, world) } : {}),
      }) + '\n',
    );
  } else {
    const c = useColor() ? pc : pc.createColors(false);
    (trace.actions as Action[]).slice(0, steps).forEach((a, k) => process.stdout.write(`${String(k + 1).padStart(3)}  ${s(formatAction(a))}\n`));
    for (const difference of result.differences) process.stdout.write(c.yellow(`! ${s(difference)}\n`));
    if (v) {
      if (trace.violation?.loopStart !== undefined) {
        const [verdict, ...waysOut] = lassoVerdictLines({ ...v, kind: trace.violation.kind });
        process.stdout.write(c.red(`✗ ${verdict}\n`) + waysOut.map((line) => `  ${line}\n`).join(''));
      } else process.stdout.write(c.red(`✗ step ${v.step}: ${s(v.property)} violated — ${s(v.message)}\n`));
      const load = options.load ? ` --load ${shellArg(options.load)}` : '';
      const how = result.differences.length === 0 ? 'reproduced as recorded' : 'reproduced, but not as recorded (above)';
      if (until === undefined) process.stdout.write(`  ${how}; read it step by step: ${COMMAND} show ${shellArg(path)}${load}\n`);
    } else if (until !== undefined) {
      process.stdout.write(c.green(`✓ stopped at step ${steps} of ${trace.actions.length}; no property violated so far\n`));
    } else {
      process.stdout.write(c.green(`✓ replayed ${steps} steps; no property violated${trace.expect === 'pass' ? ' (as recorded: the bug stays fixed)' : ''}\n`));
    }
    if (until !== undefined) process.stdout.write(describeWorld(result.instance, world, steps, c));
  }
  return v ? 1 : 0;
}

/** The world at one step, for people: every node's state and context, the messages in flight. */
function describeWorld(instance: Instance, world: World, step: number, c: ReturnType<typeof pc.createColors>): string {
  const ids = instance.nodes.map((n) => n.id);
  const width = Math.max(...ids.map((id) => id.length));
  const out = ['', c.bold(`the world after step ${step}:`)];
  world.nodes.forEach((state, i) => {
    const context = state.up ? compact(state.context) : `on disk: ${Object.keys(state.context).length ? compact(state.context) : 'nothing'}`;
    out.push(`  ${s(ids[i]!.padEnd(width))}  ${c.cyan(s(stateName(state)))}  ${s(context)}`);
  });
  // One message a line: a world of Raft holds a dozen long ones.
  const inFlight = describeNetwork(world.network);
  out.push(`  in flight (${world.network.length}):${inFlight.length ? '' : ' none'}`, ...inFlight.map((m) => `    ${s(m)}`));
  if (world.partition) out.push(`  partition: ${world.partition.map((g) => `{${g.map(s).join(', ')}}`).join(' | ')}`);
  return out.join('\n') + '\n';
}

function worldJson(instance: Instance, world: World): object {
  return {
    nodes: instance.nodes.map((spec, i) => {
      const state = world.nodes[i]!;
      return { id: spec.id, role: spec.role, up: state.up, state: state.up ? state.value : null, context: state.context };
    }),
    network: world.network,
    partition: world.partition,
    observations: world.observations,
  };
}

export { SHOW_FORMATS, renderTrace };

export async function showCommand(path: string, options: { format: string; out?: string; load?: string }): Promise<number> {
  if (!(SHOW_FORMATS as readonly string[]).includes(options.format)) {
    throw new UsageError(`unknown format '${options.format}' (accepted: ${SHOW_FORMATS.join(', ')})`);
  }
  const trace = loadTrace(path);
  const out = options.out === undefined ? '' : ` --out ${shellArg(options.out)}`;
  const suite = await suiteForTrace(trace, path, options.load, (load) => `${COMMAND} show ${shellArg(path)} --format ${options.format}${out} --load ${shellArg(load)}`);
  // picocolors knows whether this terminal takes colour (a TTY, NO_COLOR, FORCE_COLOR).
  const color = options.out === undefined && useColor();
  const text = renderTrace(options.format as ShowFormat, suite, trace, path, { color });
  if (options.out !== undefined) {
    writeFileAtomic(options.out, text);
    process.stderr.write(`wrote ${options.out}\n`);
  } else {
    process.stdout.write(text);
  }
  return 0;
}
