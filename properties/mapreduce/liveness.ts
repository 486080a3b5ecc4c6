/**
 * MapReduce's progress, as liveness: the job eventually completes.
 *
 * What is assumed, and why it holds: assigning idle work, working, retrying, keeping a disk and
 * the coordinator's failure detector (Timeout) are weakly fair, messages not lost are
 * delivered and crashed workers restart (models/mapreduce/model.ts). Then every task is
 * eventually assigned, run and reported; a worker that fails, or holds lost output, is
 * eventually declared failed and its tasks are executed again (section 3.3). But a fair
 * failure detector may also suspect a worker that is merely slow, every time: with attempts
 * bounded per task (the configuration's `attempts`), a job may also end by giving up, a task
 * having used all its attempts. So the property is "the job ends: completes, or gives up";
 * what it excludes is a job that runs for ever, or stops, with neither (e.g. a lost map output
 * that is never produced again, while its reducers wait).
 */
import { eventually, type Eventually, type WorldView } from '../../src/index.js';

/** `over`: the job completed or gave up (index.ts's jobOver, passed in: index.ts imports this module). */
export function jobEventuallyCompletes(over: (w: WorldView) => boolean): Eventually {
  return eventually(
    'job-eventually-completes',
    'the job eventually completes (or gives up once a task has used all its attempts: attempts are bounded)',
    over,
  );
}
