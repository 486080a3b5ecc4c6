/**
 * The third batch of bugs the suites were not written against (issue 22): the mutants in
 * models/<m>/unseen-mutants-3.ts, written before any measurement, checked on seeds 1–5 by
 * today's default `check` (bench/batch-section.ts says how), beside the figures measured before
 * exploration changed for them (bench/unseen-3-before.json).
 *
 *   npm run bench -- --update 7-bugs-3
 */
import { batchSection } from '../batch-section.js';
import { BATCH_3 } from '../unseen-3.js';

export default batchSection({ batch: 3, ordinal: 'third', mutants: BATCH_3, beforeWas: 'before the suites changed (Paxos gained accepted-within-promise)' });
