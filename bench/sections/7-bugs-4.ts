/**
 * The fourth batch of bugs the suites were not written against (issue 22, point 4): the mutants
 * in models/<m>/unseen-mutants-4.ts, written before any measurement and before coverage-guided
 * scheduling, checked on seeds 1–5 by today's default `check` (bench/batch-section.ts says how),
 * beside the figures measured before exploration changed (bench/unseen-4-before.json).
 *
 *   npm run bench -- --update 7-bugs-4
 */
import { batchSection } from '../batch-section.js';
import { BATCH_4 } from '../unseen-4.js';

export default batchSection({ batch: 4, ordinal: 'fourth', mutants: BATCH_4, beforeWas: 'before coverage-guided scheduling (the random strategy)' });
