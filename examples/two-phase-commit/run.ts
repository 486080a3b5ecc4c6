/** `npm run example:two-phase-commit [-- --dir DIR]`: the blocking scenario (scenario.ts), told as it happens. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { runBlockingScenario } from './scenario.js';

const { values } = parsedArgs(() => parseArgs({ options: { dir: { type: 'string' } } }));
const dir = values.dir ?? mkdtempSync(join(tmpdir(), 'two-phase-commit-'));
process.stdout.write(`two-phase-commit: a TM and three RMs on 127.0.0.1; files in ${dir}\n`);
const r = await runBlockingScenario(dir, (line) => process.stdout.write(`  ${line}\n`));
const blocked = Object.values(r.whileDown).every((s) => s === 'prepared') && !r.localAbortTaken;
const recovered = Object.values(r.final).every((s) => s === 'committed');
process.stdout.write(`blocked while the TM was down: ${blocked ? 'yes' : 'NO'}; recovered after its restart: ${recovered ? 'yes' : 'NO'}\n`);
process.stdout.write(`recorded logs: ${join(dir, 'logs')}\n`);
process.exit(blocked && recovered ? 0 : 1);

/** Bad usage is one line and exit 2, never a stack trace. */
function parsedArgs<T>(parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n`);
    process.exit(2);
  }
}
