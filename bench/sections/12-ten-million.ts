/**
 * A search of ten million distinct states (issue 24: it completes on this 24 GB machine, with its
 * time and peak RSS): `protokit explore two-phase-commit --config preset=tla --config rms=9`, one
 * worker, in a fresh process as the command runs (liveness decided, its graph built). Long (many
 * minutes on a loaded machine): opt-in, run with `npm run bench -- --update 12-ten-million`.
 */
import { expectCount, freshSearch } from '../fresh-search.js';
import { load1, ms, si, table } from '../measure.js';

/** TwoPhase with 9 RMs: distinct states and depth of the specification (a plain packed search of TwoPhase, as twophase-bfs.ts does for up to 6 RMs, counted them). */
const STATES = 10_340_352;
const DEPTH = 29;

export default {
  title: 'Ten million distinct states',
  optIn: true,
  async run() {
    const loadBefore = load1();
    const r = await freshSearch('two-phase-commit', 1, { config: { preset: 'tla', rms: 9 } });
    expectCount('TwoPhase RM=9', r, STATES, DEPTH);
    const markdown = [
      `\`protokit explore two-phase-commit --config preset=tla --config rms=9\`, one worker, one fresh process (liveness decided: its graph built). Load (1 min) ${loadBefore.toFixed(1)} before, ${r.load.toFixed(1)} after.`,
      '',
      table(
        ['distinct states', 'depth', 'transitions', 'search (wall)', 'process CPU', 'states/s (wall)', 'peak RSS', 'visited set (its counter)', 'worlds spilled to disk'],
        [[r.states.toLocaleString('en'), r.depth, r.generated.toLocaleString('en'), ms(r.wallMs), ms(r.processCpuMs), si((r.states * 1000) / r.wallMs), `${(r.maxRssBytes / 2 ** 30).toFixed(2)} GiB`, `${r.visitedBytesPerState.toFixed(1)} bytes/state`, r.spilledWorlds.toLocaleString('en')]],
      ),
    ].join('\n');
    return { markdown, json: { ...r, loadBefore } };
  },
};
