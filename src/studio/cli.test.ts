/**
 * `protokit studio` on the command line: what it refuses before serving anything (exit 2, one
 * line, no stack trace). Serving itself is server.test.ts's and the browser test's.
 */
import { createServer } from 'node:net';
import { describe, expect, test } from 'vitest';
import { oneLine, run } from '../cli/run-in-process.js';

describe('protokit studio: bad usage is refused before anything is served', () => {
  test.each([
    [['studio', 'nope'], /^protokit: unknown model 'nope' \(accepted: two-phase-commit, raft, /],
    [['studio', 'raft', '--port', '70000'], /^protokit: --port 70000: accepted 0\.\.65535 \(0: any free port\)$/],
    [['studio', 'raft', '--config', 'nodes=zz'], /^protokit: config nodes=zz: expected a whole number$/],
    [['studio', 'raft', '--mutant', 'nope'], /^protokit: unknown mutant 'nope' for raft \(accepted: /],
    [['studio', 'raft', '--faults', 'fire'], /^protokit: unknown fault 'fire' \(accepted: loss, duplicate, crash, partition, each optionally =N\)$/],
    [['studio', '--trace', 'traces/raft/no-such-trace.json'], /^protokit: .*no-such-trace\.json/],
    [['studio', 'raft', '--trace', 'traces/raft/votes-twice.json'], /^protokit: --trace opens the trace with its own model, config, mutant and faults: leave out MODEL, --config, --mutant, --faults and --network$/],
    [['studio', 'raft', '--host', '203.0.113.9'], /^protokit: cannot listen on 203\.0\.113\.9:0: no such address here$/],
  ])('%j', async (args, line) => {
    const r = await run(...args);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toMatch(line);
    expect(r.stdout).toBe('');
  });

  test('a port in use: exit 2, one line', async () => {
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;
    try {
      const r = await run('studio', 'raft', '--port', String(port));
      expect([r.code, oneLine(r.stderr)]).toEqual([2, `protokit: cannot listen on 127.0.0.1:${port}: the port is in use`]);
    } finally {
      taken.close();
    }
  });
});
