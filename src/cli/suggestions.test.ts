/**
 * Misspelt commands and options get commander's "did you mean" on the one error line, and
 * `--config key=value MODEL` (the model read as one more pair) is explained the same way by `check`
 * and `explore`. Each is a usage error: one line, exit 2.
 */
import { describe, expect, test } from 'vitest';
import { oneLine, run } from './run-in-process.js';

describe('a mistake on the command line names what was meant', () => {
  test.each([
    [['chek'], "protokit: unknown command 'chek' (did you mean check?)"],
    [['lst', '--json'], "protokit: unknown command 'lst' (did you mean list?)"],
    [['check', 'two-phase-commit', '--run', '5'], "protokit: unknown option '--run' (did you mean --runs?)"],
    [['explore', 'two-phase-commit', '--max-state', '5'], "protokit: unknown option '--max-state' (did you mean --max-states?)"],
    [['check', '--config', 'rms=2', 'two-phase-commit'], "protokit: --config takes key=value pairs, not 'two-phase-commit'; name the model before --config (protokit check two-phase-commit --config ...)"],
    [['explore', '--config', 'rms=2', 'two-phase-commit'], "protokit: --config takes key=value pairs, not 'two-phase-commit'; name the model before --config (protokit explore two-phase-commit --config ...)"],
    [['explore'], "protokit: missing required argument 'model'"],
    [['explore', '--config', 'rms=2'], "protokit: missing required argument 'model'"],
  ])('protokit %j', async (argv, line) => {
    const r = await run(...argv);
    expect([r.code, oneLine(r.stderr), r.stdout]).toEqual([2, line, '']);
  });
});
