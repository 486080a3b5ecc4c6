/**
 * Exhaustive search against TLC in the same run (issue 24): TwoPhase with 7 RMs, protokit
 * `explore` with one worker in a fresh process against TLC with one worker, alternated, medians
 * (bench/vs-tlc.ts). Paxos is its own section (5-explore-vs-tlc-paxos.ts), so each stays within
 * two minutes of CPU. Then TLC's PaxosCommit, when the specifications folder has it.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { compareWithTlc } from '../vs-tlc.js';
import { TLC_DIR } from '../tlc.js';

/** TLC's figures for PaxosCommit, recorded on another day on this kind of machine (issue 24): not a same-run baseline. */
const PAXOS_COMMIT = { states: 1_321_761, seconds: 314 };

function paxosCommitNote(): string {
  const specs = join(TLC_DIR, 'specs');
  const present = existsSync(join(specs, 'PaxosCommit.tla'));
  return [
    present
      ? `PaxosCommit.tla is in ${specs}, but no configuration for it is: not run.`
      : `PaxosCommit: not measured: PaxosCommit.tla is not in ../shared/peers/tlc/specs (only TwoPhase, TCommit and Paxos are).`,
    `TLC's figure from another day (${PAXOS_COMMIT.states.toLocaleString('en')} distinct states in ${PAXOS_COMMIT.seconds} s, ${Math.round(PAXOS_COMMIT.states / PAXOS_COMMIT.seconds).toLocaleString('en')} states/s) is not compared with a figure of this run.`,
    'protokit has no Paxos Commit model; its closest configurations are the two halves of the protocol: `two-phase-commit preset=tla` (the commit, as TwoPhase; rms=8 is of the same order of states) and `paxos preset=tla` (one consensus instance), both compared with TLC above on the same run; the ten-million-state search (`npm run bench -- --update 12-ten-million`) shows the scale.',
  ].join(' ');
}

export default {
  title: 'Exhaustive search against TLC: TwoPhase',
  async run() {
    const twoPhase = await compareWithTlc({
      label: 'TwoPhase RM=7',
      model: 'two-phase-commit',
      options: { config: { preset: 'tla', rms: 7 } },
      spec: 'TwoPhase.tla',
      cfg: 'TwoPhase7.cfg',
      states: 296_448,
      depth: 23,
      tlcChecks: 'the invariant TPTypeOK and deadlock (its default)',
    });
    const note = paxosCommitNote();
    return { markdown: [twoPhase.markdown, '', note].join('\n'), json: { twoPhase: twoPhase.json, paxosCommit: { ...PAXOS_COMMIT, note } } };
  },
};
