/**
 * Typed views: `ViewOf<typeof model>` carries each role's context type into `w.role(...)`,
 * `w.node(...)` and NodeView, and the observations' union into `w.observations`. The
 * `@ts-expect-error` lines are the test that wrong uses do not compile (`npx tsc`, in npm test's
 * companion `npm run typecheck`); the runtime test checks the same values through the kit.
 */
import { expect, test } from 'vitest';
import model, { type Decision, type RmStatus } from '../../models/two-phase-commit/index.js';
import suite from '../../properties/two-phase-commit/index.js';
import { always, defineSuite, type Received, type ViewOf } from '../index.js';
import { checkRandom } from '../explore/random/random.js';

type View = ViewOf<typeof model, { type: 'Decided'; decision: Decision } | { type: 'Voted'; rm: string }>;

const typed = always('typed', 'reads typed fields', (w: View) => {
  const decision: Decision | null = w.node('tm').context.decision;
  const statuses: RmStatus[] = w.role('rm').map((rm) => rm.context.status);
  const voted: string[] = w.observations.flatMap((o) => (o.type === 'Voted' ? [o.rm] : []));
  // @ts-expect-error an RM's status is not a number
  const wrong: number = w.node('rm1').context.status;
  // @ts-expect-error there is no role 'rn'
  w.role('rn');
  // @ts-expect-error the TM's context has no field 'status'
  void w.node('tm').context.status;
  void wrong;
  if (decision === 'commit' && statuses.includes('aborted') && voted.length < 0) return 'never';
});

// The network's messages are the model's message union (the events its machines receive from a
// sender); faultsUsed is always there.
const typedNetwork = always('typed-network', 'reads typed messages', (w: View) => {
  const types: ('Prepared' | 'Commit' | 'Abort')[] = w.network.map((e) => e.message.type);
  const preparedBy: string[] = w.network.flatMap((e) => (e.message.type === 'Prepared' ? [e.message.rm] : []));
  // @ts-expect-error no message of two-phase-commit is called 'Prepare' (that is an RM's own event)
  const unknown = w.network.some((e) => e.message.type === 'Prepare');
  // @ts-expect-error a Commit carries no rm
  void w.network.map((e) => (e.message.type === 'Commit' ? e.message.rm : ''));
  const lost: number = w.faultsUsed.loss;
  if (types.length < preparedBy.length || unknown || lost < 0) return 'never';
});

test('a property written on a typed view runs in a suite like any other', () => {
  const result = checkRandom(defineSuite({ ...suite, model: { ...suite.model, mutants: {} }, properties: [typed, typedNetwork] }), { runs: 50 });
  expect(result.violation).toBeNull();
});

test('Received<M> is the message plus its sender', () => {
  const m: Received<{ type: 'Ping'; n: number }> = { type: 'Ping', n: 1, from: 'a' };
  expect(m.from).toBe('a');
});
