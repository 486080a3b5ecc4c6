/**
 * Which runs of the command line go to a supervised worker thread (supervise.ts). The worker costs
 * a second isolate loading the command line again (about 40% more start-up CPU for a short check), so
 * it is spent where it buys something: when the run executes someone else's code (a `--load` suite,
 * a `--map` module), which may loop where Ctrl-C cannot reach it or allocate without end. The kit's
 * own models return from every step and poll Ctrl-C between them, so they run on the main thread.
 *
 * Every command is supervised by default, including commands added later; only those listed here
 * run on the main thread: they run no model code or serve for a long time (studio).
 */
const IN_THREAD: ReadonlySet<string> = new Set(['list', 'merge', 'init', 'linearizable', 'studio', 'help']);

/** Options that name a module of the user's, which the command then runs. */
const USER_CODE_OPTIONS = ['--load', '--map', '--adapter'];

/** `PROTOKIT_SUPERVISE`: `always` supervises every supervised command even without user code; `never` none. */
export function needsSupervisor(argv: readonly string[], env: NodeJS.ProcessEnv = process.env): boolean {
  const command = argv.find((a) => !a.startsWith('-'));
  if (command === undefined || IN_THREAD.has(command)) return false;
  if (argv.includes('--help') || argv.includes('-h') || argv.includes('--version') || argv.includes('-V')) return false;
  if (env.PROTOKIT_SUPERVISE === 'never') return false;
  if (env.PROTOKIT_SUPERVISE === 'always') return true;
  return argv.some((a) => USER_CODE_OPTIONS.some((o) => a === o || a.startsWith(`${o}=`)));
}
