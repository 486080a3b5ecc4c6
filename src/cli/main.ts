/**
 * The `protokit` command line. The names, exit codes and --json output are a contract (see
 * DESIGN.md): 0 nothing violated; 1 a property was violated; 2 bad usage or bad input;
 * 3 a trace does not fit the model; 4 the model itself failed; 5 inconclusive; 70 an internal error of
 * protokit (one line; the stack only with --debug); 74 the environment failed (a full or read-only
 * disk, an output stream that cannot be written); 130 interrupted. engine/errors.ts decides which.
 */
import { Command, CommanderError, Option } from 'commander';
import { environmentReason, EXIT, exitCodeOf, ModelError, TraceMismatchError, UsageError } from '../engine/errors.js';
import { safeLine, safeLines } from '../render/safe-text.js';
import { KIT_VERSION } from '../engine/version.js';
import { SHOW_FORMATS } from '../render/formats.js';
import { collectConfig, collectNames, nonNegativeInt, positiveInt } from './common.js';
import { refuseRepeatedFlags } from './flags.js';
import { needsSupervisor } from './supervise-policy.js';
import { guardStreams } from './terminal.js';

// Each command's module (and what it pulls in: explorers, renderers) is loaded when the command
// runs, so a start loads only what that command needs.

export { EXIT };

/** The command line, its commands and options (the deploy manifests are checked against it). */
export function program(setExit: (code: number) => void): Command {
  const cli = new Command('protokit')
    .description('Distributed protocols as formal models, checked by machine.')
    .version(KIT_VERSION)
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({ outputError: () => {} })
    .option('--debug', 'print the stack trace of an internal error or of an error of the model');

  cli
    .command('list')
    .description('models, their configs, properties and mutants')
    .option('--json', 'one JSON object on stdout')
    .option('--load <path>', 'list the suites of a module outside this repository')
    .action(async (options) => setExit(await (await import('./list.js')).listCommand(options)));

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
    .option('--shard <K/N|auto>', "run only shard K of N of the budget (its own seed and share of the runs); 'auto' reads it from PROTOKIT_SHARD, a Kubernetes Indexed Job or a CI's parallel jobs")
    .option('--shards <n>', 'with --shard auto: the number of shards (e.g. a Kubernetes Indexed Job\'s completions)', positiveInt('--shards'))
    .option('--no-deadlock', 'do not report worlds where nothing but faults is enabled as deadlocks')
    .option('--property <name>', 'check only this property (repeatable)', collectNames, [])
    .option('--skip <name>', 'do not check this property (repeatable)', collectNames, [])
    .option('--coverage', 'report which machine transitions, messages and events the runs exercised')
    .option('--steps <n>', 'a budget in steps instead of runs', positiveInt('--steps'))
    .option('--strategy <name>', 'how runs pick actions: random (by weight), pct (priorities with change points) or guided (random, from a corpus of runs that reached new coverage)')
    .option('--no-small', "skip the exhaustive search of the suite's small configurations that comes before the random runs")
    .option('--no-witness-search', 'do not search the configuration for a witness the runs missed (it stays unknown, and the check fails)')
    .option('--units <n>', 'split the runs into N units (each a shard of the budget) and run them in order up to the first that fails', positiveInt('--units'))
    .option('--queue <url>', 'put the units in a JetStream work queue on the NATS server at nats://HOST:PORT for `protokit worker` processes')
    .option('--cluster-token <token>', 'the NATS token (or PROTOKIT_CLUSTER_TOKEN)')
    .option('--cluster-user <user>', 'the NATS user (with --cluster-password)')
    .option('--cluster-password <password>', 'the NATS password')
    .option('--cluster-insecure', 'connect to a NATS server without credentials')
    .option('--cluster-timeout <s>', 'seconds before the unit of a silent worker goes to another (default 60)', positiveInt('--cluster-timeout'))
    .option('--cluster-wait <s>', 'seconds to wait for a unit result (default 600)', positiveInt('--cluster-wait'))
    .action(async (model, options) => setExit(await (await import('./check.js')).checkCommand(model, options)));

  cli
    .command('explore')
    .description('exhaustive breadth-first search of one configuration')
    .argument('[model]', 'model name, required (see `protokit list`)')
    .option('--config <key=value...>', 'model parameters (e.g. --config rms=4 preset=tla; repeatable)', collectConfig, [])
    .option('--mutant <name>', 'search a known-buggy variant')
    .option('--max-states <n>', 'stop after N distinct states', positiveInt('--max-states'))
    .option('--max-depth <n>', 'stop at depth N (the initial state is depth 1)', positiveInt('--max-depth'))
    .option('--max-memory <mb>', 'memory bound: past MB megabytes of heap the frontier spills to disk (default: 70% of the heap limit)', positiveInt('--max-memory'))
    .option('--max-in-flight <n>', 'state constraint: do not expand states with more than N messages in flight', nonNegativeInt('--max-in-flight'))
    .option('--symmetry [compare]', "one state per class of interchangeable nodes; 'compare' also searches without")
    .option('--workers <n>', 'worker threads (default 1; liveness is checked with one only)', positiveInt('--workers'))
    .option('--no-deadlock', 'do not report worlds where nothing but faults is enabled as deadlocks')
    .option('--faults <list>', 'faults allowed, e.g. loss=1,crash=1')
    .option('--no-faults', 'no faults at all')
    .addOption(new Option('--network <semantics>', 'message delivery order').choices(['unordered', 'fifo', 'set']))
    .option('--out <dir>', 'where the counterexample trace goes', 'traces')
    .option('--json', 'one JSON object on stdout')
    .option('--load <path>', 'explore a suite module outside this repository')
    .option('--checkpoint <dir>', 'write resumable checkpoints into DIR periodically and on Ctrl-C')
    .option('--checkpoint-interval <s>', 'seconds between checkpoints (default 60; 0: every level)', nonNegativeInt('--checkpoint-interval'))
    .option('--resume <dir>', 'go on with the search checkpointed in DIR (same options as it was written with)')
    .option('--property <name>', 'check only this property (repeatable)', collectNames, [])
    .option('--skip <name>', 'do not check this property (repeatable)', collectNames, [])
    .option('--coverage', 'report which machine transitions, messages and events the search exercised')
    .option('--require-complete', 'exit 5 (inconclusive) when a bound stopped the search')
    .option('--cluster <url>', 'coordinate a search whose levels `protokit worker` processes expand, over the NATS server at nats://HOST:PORT')
    .option('--cluster-token <token>', 'the NATS token (or PROTOKIT_CLUSTER_TOKEN)')
    .option('--cluster-user <user>', 'the NATS user (with --cluster-password)')
    .option('--cluster-password <password>', 'the NATS password')
    .option('--cluster-insecure', 'connect to a NATS server without credentials')
    .option('--cluster-timeout <s>', 'seconds a worker may take over one unit before it goes to another (default 60)', positiveInt('--cluster-timeout'))
    .option('--cluster-wait <s>', 'seconds to wait for a worker (default 600)', positiveInt('--cluster-wait'))
    .option('--cluster-workers <n>', 'start the search once N workers have joined (default 1)', positiveInt('--cluster-workers'))
    .option('--shards <n>', 'with --cluster: split the visited set by fingerprint between this process and N-1 `protokit shard` processes (default 1)', positiveInt('--shards'))
    .action(async (model, options) => setExit(await (await import('./explore.js')).exploreCommand(model, options)));

  // A worker and a shard join a coordinator the same way: the same model pin, credentials and limits.
  const fleetMember = (command: 'worker' | 'shard', description: string, serves: string, waitFor: string) =>
    cli
      .command(command)
      .description(description)
      .argument('[model]', `model name, required: the ${command} ${serves} only this model, configuration, mutant and faults`)
      .option('--cluster <url>', 'the NATS server, nats://HOST:PORT')
      .option('--cluster-token <token>', 'the NATS token (or PROTOKIT_CLUSTER_TOKEN)')
      .option('--cluster-user <user>', 'the NATS user (with --cluster-password)')
      .option('--cluster-password <password>', 'the NATS password')
      .option('--cluster-insecure', 'connect to a NATS server without credentials')
      .option('--config <key=value...>', 'model parameters (e.g. --config rms=4 preset=tla; repeatable)', collectConfig, [])
      .option('--mutant <name>', 'a known-buggy variant')
      .option('--faults <list>', 'faults allowed, e.g. loss=1,crash=1')
      .option('--no-faults', 'no faults at all')
      .addOption(new Option('--network <semantics>', 'message delivery order').choices(['unordered', 'fifo', 'set']))
      .option('--load <path>', 'a suite module outside this repository')
      .option('--name <name>', `how the coordinator names this ${command} (default: host-pid)`)
      .option('--wait <s>', `seconds to wait for ${waitFor} (default 600)`, positiveInt('--wait'))
      .option('--quiet', 'no log lines on stderr');
  fleetMember('worker', 'one worker process of `explore --cluster` or `check --queue`, over NATS', 'runs', 'a coordinator').action(async (model, options) =>
    setExit(await (await import('./worker.js')).workerCommand(model, options)),
  );
  fleetMember('shard', 'one shard of the visited set of `explore --cluster … --shards N`, over NATS', 'serves', 'a coordinator, and for its next order').action(async (model, options) =>
    setExit(await (await import('./worker.js')).workerCommand(model, options, 'shard')),
  );

  cli
    .command('merge')
    .description("one report from the --json results of a check's shards")
    .argument('<results...>', 'result files (protokit check --json, one per shard)')
    .option('--json', 'one JSON object on stdout')
    .action(async (results, options) => setExit(await (await import('./merge.js')).mergeCommand(results, options)));

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
    .action(async (model, options) => setExit(await (await import('./mutate.js')).mutateCommand(model, options)));

  cli
    .command('replay')
    .description('re-run a saved trace step by step')
    .argument('<trace>', 'trace file')
    .option('--until <n>', 'stop after step N and show the world there', nonNegativeInt('--until'))
    .option('--json', 'one JSON object on stdout')
    .option('--load <path>', 'the suite module the trace was recorded with')
    .action(async (trace, options) => setExit(await (await import('./replay.js')).replayCommand(trace, options)));

  cli
    .command('show')
    .description('render a saved trace for people')
    .argument('<trace>', 'trace file')
    .option('--format <format>', `one of ${SHOW_FORMATS.join(', ')}`, 'text')
    .option('--out <file>', 'write to a file instead of stdout')
    .option('--load <path>', 'the suite module the trace was recorded with')
    .action(async (trace, options) => setExit(await (await import('./replay.js')).showCommand(trace, options)));

  cli
    .command('studio')
    .description('explore a model interactively in the browser: step, branch from a trace, find, share (serves on 127.0.0.1)')
    .argument('[model]', 'model name (see `protokit list`; default: the first)')
    .option('--config <key=value...>', 'model parameters (e.g. --config nodes=3; repeatable)', collectConfig, [])
    .option('--mutant <name>', 'open a known-buggy variant')
    .option('--faults <list>', 'faults allowed, e.g. loss=1,crash=1')
    .option('--no-faults', 'no faults at all')
    .addOption(new Option('--network <semantics>', 'message delivery order').choices(['unordered', 'fifo', 'set']))
    .option('--trace <file>', 'open this trace (listed with those under --out)')
    .option('--out <dir>', 'where saved traces are listed from and saved to', 'traces')
    .option('--load <path>', 'explore the suites of a module outside this repository')
    .option('--port <n>', 'port to listen on (default: a free one)', nonNegativeInt('--port'))
    .option('--host <host>', 'address to listen on; anything but loopback exposes the studio to that network', '127.0.0.1')
    .action(async (model, options) => setExit(await (await import('./studio.js')).studioCommand(model, options)));

  cli
    .command('init')
    .description('scaffold a project that checks its own protocol models with protokit')
    .argument('[dir]', 'the folder to create, or a project to add to (default: the current folder)')
    .option('--protokit <spec>', "where the project's protokit comes from: a version or range (default ^" + KIT_VERSION + '), a tarball from npm pack, or a folder')
    .action(async (dir, options) => setExit(await (await import('./init.js')).initCommand(dir, options)));

  cli
    .command('linearizable')
    .description('check histories recorded from real systems for linearizability (exit 0 all are, 1 some are not, 5 some undecided)')
    .argument('<files...>', 'history files, or directories of them')
    .option('--spec <name>', 'the sequential specification: register, cas-register or kv')
    .option('--format <format>', 'jepsen, edn or jsonl (default: from the file name and first line)')
    .option('--timeout <seconds>', 'give up on a history after this long (it is then undecided, exit 5)')
    .option('--max-steps <n>', 'search steps per partition before a history is undecided (default 2,000,000)', positiveInt('--max-steps'))
    .option('--json', 'one JSON object per history, one per line')
    .option('--html <out>', 'write a page for each refuted history (a file; a directory with several histories)')
    .action(async (files, options) => setExit(await (await import('./linearizable.js')).linearizableCommand(files, options)));

  cli
    .command('validate')
    .description('is a recorded run of a real system one the model allows? (0 valid, 1 a property fails on it, 3 invalid, 5 unknown)')
    .argument('<logs...>', 'recorded logs (protokit-log/1 NDJSON, one per node or merged; any format with --map)')
    .option('--model <name>', 'the model the system implements (see `protokit list`)')
    .option('--map <path>', 'a module mapping each line of your log format to a step of the model')
    .option('--config <key=value...>', 'model parameters the system ran (the logs\' headers give them; repeatable)', collectConfig, [])
    .option('--mutant <name>', 'validate against a known-buggy variant')
    .option('--faults <list>', 'fault bounds (default: any number of losses, duplicates and crashes)')
    .option('--no-faults', 'no faults at all')
    .addOption(new Option('--network <semantics>', 'message delivery order').choices(['unordered', 'fifo', 'set']))
    .addOption(new Option('--strategy <search>', 'depth-first (default) or breadth-first (the set of possible states)').choices(['depth-first', 'breadth-first']))
    .option('--max-states <n>', 'search budget in states (default 1,000,000; past it: unknown, exit 5)', positiveInt('--max-states'))
    .option('--max-time <seconds>', 'search budget in time (past it: unknown, exit 5)')
    .option('--follow', 'tail the logs as they grow, keeping the set of possible states; report the first line none explains as it arrives')
    .option('--idle-timeout <seconds>', 'with --follow: the logs have ended after this long without a new line (default 10)')
    .option('--unlogged-env', 'the logs omit environment events (timeouts, client requests): search for them')
    .option('--app-events <types>', 'environment events whose payload and timing are the application\'s (e.g. ClientRequest): explained when the machine takes them')
    .option('--out <dir>', 'where the reconstructed run goes', 'traces')
    .option('--json', 'one JSON object on stdout')
    .option('--load <path>', 'a suite module outside this repository')
    .action(async (logs, options) => setExit(await (await import('./validate.js')).validateCommand(logs, options)));

  cli
    .command('testgen')
    .description('write vitest conformance tests driving your implementation of a role through an adapter')
    .argument('<model>', 'model name (see `protokit list`)')
    .option('--role <role>', 'the role your implementation plays')
    .option('--adapter <path>', 'module whose default export is the ConformanceAdapter of your implementation')
    .option('--out <file>', 'the test file to write (name.test.ts)')
    .option('--kit <specifier>', "how the test file imports protokit (default 'protokit')")
    .option('--config <key=value...>', 'model parameters (repeatable)', collectConfig, [])
    .option('--mutant <name>', 'generate from a known-buggy variant')
    .option('--max-states <n>', 'states searched for scenarios (default 50,000)', positiveInt('--max-states'))
    .option('--json', 'one JSON object on stdout')
    .option('--load <path>', 'a suite module outside this repository')
    .action(async (model, options) => setExit(await (await import('./testgen.js')).testgenCommand(model, options)));

  return cli;
}

/**
 * Runs the command line on `argv` and returns the exit code. Never throws: every error ends as
 * one line on stderr and its exit code (see EXIT); an error that is none of protokit's kinds is
 * an internal error (70), whose stack prints only with --debug.
 */
export async function main(argv: readonly string[]): Promise<number> {
  const restore = guardStreams();
  let code: number = EXIT.ok;
  try {
    refuseRepeatedFlags(argv);
    refuseUnknownHelpTopic(argv);
    await program((c) => (code = c)).parseAsync(argv as string[], { from: 'user' });
    return code;
  } catch (error) {
    return reportError(error, argv.includes('--debug'));
  } finally {
    restore();
  }
}

/**
 * Runs the command line as the `protokit` process does: a run that executes the user's code goes to a
 * supervised worker thread (supervise.ts; which runs, supervise-policy.ts), any other runs here.
 */
export async function runCommand(argv: readonly string[]): Promise<number> {
  if (!needsSupervisor(argv)) return main(argv);
  try {
    return await (await import('./supervise.js')).runSupervised(argv);
  } catch (error) {
    return reportError(error, argv.includes('--debug'));
  }
}

/** One line on stderr for `error`, and its exit code. */
export function reportError(error: unknown, debug: boolean): number {
  const say = (line: string) => process.stderr.write(`protokit: ${safeLine(line)}\n`);
  if (error instanceof CommanderError) {
    if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version' || error.code === 'commander.help') return EXIT.ok;
    if (error.code === 'commander.executeSubCommandAsync') return EXIT.ok;
    // Commander puts its suggestion on a second line ("(Did you mean check?)"): keep it, on the one line.
    say(error.message.replace(/^error: /, '').split('\n').map((l) => l.trim()).filter(Boolean).join(' ').replace('(Did you mean', '(did you mean'));
    return EXIT.usage;
  }
  const code = exitCodeOf(error);
  if (code === EXIT.environment) {
    say(`the environment failed: ${environmentMessage(error)}`);
    return code;
  }
  if (code === EXIT.usage) {
    say((error as Error).message);
    // A user's own error (a --load module that throws) keeps its stack for --debug.
    if (debug && error instanceof Error && error.cause instanceof Error) process.stderr.write(`${safeLines(error.cause.stack ?? error.cause.message)}\n`);
    return code;
  }
  if (error instanceof TraceMismatchError) {
    say(`the trace does not fit the model: ${error.message}`);
    return code;
  }
  if (error instanceof ModelError) {
    say(`the model failed: ${error.message}`);
    if (error.tracePath) process.stderr.write(`  trace:  ${safeLine(error.tracePath)}\n  replay: ${safeLine(error.replay ?? '')}\n`);
    if (debug) {
      const cause = error.cause instanceof Error ? error.cause : error;
      process.stderr.write(`${cause.stack ?? cause.message}\n`);
    }
    return code;
  }
  const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  if (debug) {
    say(`internal error: ${message}`);
    process.stderr.write(`${error instanceof Error ? (error.stack ?? message) : message}\n`);
  } else {
    say(`internal error: ${message.split('\n')[0]} (rerun with --debug for the stack trace)`);
  }
  return EXIT.internal;
}

/** What failed and why, for an environment failure: protokit's own line, or the system error's path or stream and reason. */
function environmentMessage(error: unknown): string {
  if (error instanceof Error && error.name === 'EnvironmentError') return error.message;
  const e = error as { path?: unknown; dest?: unknown; stream?: unknown; syscall?: unknown };
  const what = typeof e.stream === 'string' ? `cannot write to ${e.stream}` : typeof e.path === 'string' ? `${typeof e.syscall === 'string' ? e.syscall : 'access'} ${e.path}` : typeof e.syscall === 'string' ? e.syscall : 'a system call failed';
  return `${what}: ${environmentReason(error)}`;
}

/** `protokit help nope` is an error, not the general help. */
function refuseUnknownHelpTopic(argv: readonly string[]): void {
  if (argv[0] !== 'help' || argv[1] === undefined) return;
  const topics = [...program(() => {}).commands.map((c) => c.name()), 'help'];
  if (!topics.includes(argv[1])) throw new UsageError(`help: unknown command '${argv[1]}' (accepted: ${topics.join(', ')})`);
}

const invokedDirectly = process.argv[1] !== undefined && import.meta.url.endsWith(process.argv[1].replace(/\\/g, '/').split('/').pop()!);
if (invokedDirectly) {
  runCommand(process.argv.slice(2)).then((code) => (process.exitCode = code));
}
