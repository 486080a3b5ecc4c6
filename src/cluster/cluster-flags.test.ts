/**
 * The cluster's flags refused before anything connects (exit 2, one line, the user's bytes escaped):
 * a NATS URL whose host is not a host, given to a worker or a shard (which used to try to connect and
 * report the environment, exit 74), and `--cluster-workers` without `--cluster` (which was ignored).
 */
import { expect, test } from 'vitest';
import { oneLine, run } from '../cli/run-in-process.js';

test.each([
  ['worker', 'nats://a b:4222'],
  ['shard', 'nats://\u001b[31mred:4222'],
  ['worker', 'nats://host;rm:4222'],
])('%s --cluster %j: exit 2, one line, no escape byte', async (role, url) => {
  const r = await run(role, 'two-phase-commit', '--cluster', url, '--cluster-insecure', '--wait', '1');
  expect(r.code).toBe(2);
  const line = oneLine(r.stderr);
  expect(line).toMatch(/^protokit: --cluster takes nats:\/\/HOST:PORT/);
  expect(line).not.toContain('\u001b');
});

test('explore --cluster-workers without --cluster is refused, not ignored', async () => {
  const r = await run('explore', 'two-phase-commit', '--config', 'rms=2', '--cluster-workers', '2');
  expect([r.code, oneLine(r.stderr)]).toEqual([2, 'protokit: --cluster-workers waits for workers of a search on a cluster: add --cluster nats://HOST:PORT']);
});
