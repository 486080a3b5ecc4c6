/**
 * The `protokit` command line. The names, exit codes and --json output are a contract (see
 * DESIGN.md): 0 nothing violated; 1 a property was violated; 2 bad usage or bad input;
 * 3 a trace does not fit the model.
 */
import { Command, CommanderError, Option } from 'commander';
import { TraceMismatchError, UsageError } from '../engine/errors.js';
import { KIT_VERSION } from '../engine/version.js';
import { checkCommand } from './check.js';
import { exploreCommand } from './explore.js';
import { collectConfig, nonNegativeInt, positiveInt } from './common.js';
import { listCommand } from './list.js';
import { mutateCommand } from './mutate.js';
import { replayCommand, SHOW_FORMATS, showCommand } from './replay.js';

export const EXIT = { ok: 0, violated: 1, usage: 2, mismatch: 3 } as const;

function program(setExit: (code: number) => void): Command {
  const cli = new Command('protokit')
    .description('Distributed protocols as formal models, checked by machine.')
    .version(KIT_VERSION)
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: () => {} });

  cli
    .command('list')
    .description('models, their configs, properties and mutants')
    .option('--json', 'one JSON object on stdout')
    .option('--load <path>', 'list the suites of a module outside this repository')
    .action(async (options) => setExit(await listCommand(options)));

  cli
    .command('check')
    .description('random exploration; without MODEL, every model with its default budget')
    .argument('[model]', 'model name (see `protokit list`)')
    .option('--runs <n>', 'number of random runs (default: the suite budget)', positiveInt('--runs'))
    .option('--depth <n>', 'maximum actions per run (default: the suite budget)', positiveInt('--depth'))
    .option('--seed <n>', 'seed of the exploration (default 1)', nonNegativeInt('--seed'))
    .option('--config <key=value...>', 'model parameters (e.g. --config rms=4 preset=tla; repeatable)', collectConfig, [])
    .option('--mutant <name>', 'run a known-buggy variant')
    .option('--faults <list>', 'faults allowed, e.g. loss,duplicate=1,crash=2,partition')
    .option('--no-faults', 'no faults at all')
    .addOption(new Option('--network <semantics>', 'message delivery order').choices(['unordered', 'fifo', 'set']))
    .option('--out <dir>', 'where traces go', 'traces')
    .option('--json', 'one JSON object on stdout')
    .option('--load <path>', 'check a suite module outside this repository')
    .option('--workers <n>', 'worker threads, each running a share of the runs with its own seed', positiveInt('--workers'))
    .option('--shard <K/N>', 'run only shard K of N of the budget (its own seed and share of the runs)')
    .option('--coverage', 'report which machine transitions, messages and events the runs exercised')
    .option('--steps <n>', 'a budget in steps instead of runs', positiveInt('--steps'))
    .option('--strategy <name>', 'how runs pick actions: random (by weight) or pct (priorities with change points)')
    .action(async (model, options) => setExit(await checkCommand(model, options)));

  cli
    .command('explore')
    .description('exhaustive breadth-first search of one configuration')
    .argument('<model>', 'model name (see `protokit list`)')
    .option('--config <key=value...>', 'model parameters (e.g. --config rms=4 preset=tla; repeatable)', collectConfig, [])
    .option('--mutant <name>', 'search a known-buggy variant')
    .option('--max-states <n>', 'stop after N distinct states', positiveInt('--max-states'))
    .option('--max-depth <n>', 'stop at depth N (the initial state is depth 1)', positiveInt('--max-depth'))
    .option('--max-memory <mb>', 'stop when the heap passes MB megabytes (default: 70% of the heap limit)', positiveInt('--max-memory'))
    .option('--max-in-flight <n>', 'state constraint: do not expand states with more than N messages in flight', nonNegativeInt('--max-in-flight'))
    .option('--symmetry [compare]', "one state per class of interchangeable nodes; 'compare' also searches without")
    .option('--workers <n>', 'worker threads (default 1)', positiveInt('--workers'))
    .option('--faults <list>', 'faults allowed, e.g. loss=1,crash=1')
    .option('--no-faults', 'no faults at all')
    .addOption(new Option('--network <semantics>', 'message delivery order').choices(['unordered', 'fifo', 'set']))
    .option('--out <dir>', 'where the counterexample trace goes', 'traces')
    .option('--json', 'one JSON object on stdout')
    .option('--load <path>', 'explore a suite module outside this repository')
    .option('--coverage', 'report which machine transitions, messages and events the search exercised')
    .action(async (model, options) => setExit(await exploreCommand(model, options)));

  cli
    .command('mutate')
    .description('mutation testing: mechanical mutants of the machines, run against the suite')
    .argument('<model>', 'model name (see `protokit list`)')
    .option('--runs <n>', 'runs of the default check per mutant (default: the suite budget)', positiveInt('--runs'))
    .option('--seed <n>', 'seed of every check (default 1)', nonNegativeInt('--seed'))
    .option('--budget <seconds>', 'start no mutant after this many seconds (default 180)', positiveInt('--budget'))
    .option('--max-mutants <n>', 'try only the first N mutants (round robin over kinds)', positiveInt('--max-mutants'))
    .option('--min-score <fraction>', 'exit 1 when the mutation score is below this (0..1)')
    .option('--json', 'one JSON object on stdout')
    .option('--load <path>', 'a suite module outside this repository')
    .action(async (model, options) => setExit(await mutateCommand(model, options)));

  cli
    .command('replay')
    .description('re-run a saved trace step by step')
    .argument('<trace>', 'trace file')
    .option('--until <n>', 'stop after step N and show the world there', nonNegativeInt('--until'))
    .option('--json', 'one JSON object on stdout')
    .option('--load <path>', 'the suite module the trace was recorded with')
    .action(async (trace, options) => setExit(await replayCommand(trace, options)));

  cli
    .command('show')
    .description('render a saved trace for people')
    .argument('<trace>', 'trace file')
    .option('--format <format>', `one of ${SHOW_FORMATS.join(', ')}`, 'text')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--load <path>', 'the suite module the trace was recorded with')
    .action(async (trace, options) => setExit(await showCommand(trace, options)));

  return cli;
}

export async function main(argv: readonly string[]): Promise<number> {
  let code: number = EXIT.ok;
  try {
    await program((c) => (code = c)).parseAsync(argv as string[], { from: 'user' });
    return code;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
      if (error.code === 'commander.executeSubCommandAsync') return EXIT.ok;
      process.stderr.write(`protokit: ${error.message.replace(/^error: /, '').split('\n')[0]}\n`);
      return EXIT.usage;
    }
    if (error instanceof UsageError) {
      process.stderr.write(`protokit: ${error.message}\n`);
      return EXIT.usage;
    }
    if (error instanceof TraceMismatchError) {
      process.stderr.write(`protokit: the trace does not fit the model: ${error.message}\n`);
      return EXIT.mismatch;
    }
    throw error;
  }
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      process.stderr.write(`protokit: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
      process.exitCode = 70;
    },
  );
}
