/**
 * The fifth batch of bugs the suites were not written against (issue 22, point 4): the control
 * batch in models/<m>/unseen-mutants-5.ts, written while the default `check` was being improved
 * for batches 2–4, checked on seeds 1–5 by today's default `check` (bench/batch-section.ts says
 * how), beside the figures measured before those improvements landed (bench/unseen-5-before.json).
 *
 *   npm run bench -- --update 7-bugs-5
 */
import { batchSection } from '../batch-section.js';
import { BATCH_5 } from '../unseen-5.js';

export default batchSection({ batch: 5, ordinal: 'fifth', mutants: BATCH_5, beforeWas: 'before the default check was improved for batches 2–4 (the control batch)' });
