/**
 * The Paxos model: which nodes a configuration has (the wiring), the roles with what each
 * persists and which environment events it may receive, the parameters, the `tla` preset, the
 * default faults and exploration weights, and the mutants.
 */
import { defineModel, type NodeSpec, type Params } from '../../src/index.js';
import { acceptor } from './acceptor.js';
import { ballotProposer, ballotProposerEvents } from './ballot-proposer.js';
import { clientValues } from './ballots.js';
import { learner } from './learner.js';
import { mutants } from './mutants.js';
import { proposer, type ProposerInput } from './proposer.js';

// ---- Wiring ---------------------------------------------------------------------------------

const ids = (prefix: string, n: number, from = 1) => Array.from({ length: n }, (_, i) => `${prefix}${i + from}`);

function cluster(params: Params): NodeSpec[] {
  const acceptors = ids('a', Number(params.acceptors));
  const maxBallot = Number(params.maxBallot);
  if (params.style === 'spec') {
    const ballots = Array.from({ length: maxBallot + 1 }, (_, b) => b);
    return [
      ...acceptors.map((id) => ({ id, role: 'acceptor', input: { id, learners: [] } })),
      ...ballots.map((ballot) => ({ id: `b${ballot}`, role: 'ballot-proposer', input: { ballot, acceptors } })),
    ];
  }
  const learners = ids('l', Number(params.learners));
  const proposers = Number(params.proposers);
  const values = clientValues(params);
  return [
    ...ids('p', proposers).map((id, index) => ({
      id,
      role: 'proposer',
      input: { id, index, proposers, maxBallot, acceptors, value: values[index]! } satisfies ProposerInput,
    })),
    ...acceptors.map((id) => ({ id, role: 'acceptor', input: { id, learners } })),
    ...learners.map((id) => ({ id, role: 'learner', input: { id, acceptors: acceptors.length } })),
  ];
}

// ---- The model ------------------------------------------------------------------------------

export default defineModel({
  name: 'paxos',
  title: 'Single-decree Paxos (Lamport, "Paxos Made Simple", 2001)',
  params: {
    acceptors: { default: 3, min: 1, max: 9, description: 'number of acceptors (a quorum is a majority)' },
    proposers: { default: 2, min: 1, max: 6, description: 'number of proposers (style=paper)' },
    learners: { default: 2, min: 0, max: 6, description: 'number of learners (style=paper)' },
    maxBallot: { default: 5, min: 0, max: 30, description: 'highest ballot number of a run (bounds retries)' },
    style: {
      default: 'paper',
      choices: ['paper', 'spec'],
      description: 'paper: proposers that retry on timeouts, learners; spec: one proposer per ballot, as in the TLA+ spec',
    },
  },
  presets: {
    tla: {
      description: 'the Paxos TLA+ specification (MCPaxos): message set, its four actions, ballots 0..maxBallot, values v1 v2, no faults',
      params: { style: 'spec', acceptors: 3, learners: 0, maxBallot: 1 },
      faults: { network: 'set', loss: 0, duplicate: 0, crash: 0, partition: 0 },
    },
  },
  roles: {
    proposer: { machine: proposer, persist: ['ballot'], environment: () => [{ type: 'Timeout' }] },
    acceptor: { machine: acceptor, persist: ['promised', 'acceptedBallot', 'acceptedValue'] },
    learner: { machine: learner, persist: ['learned'] },
    'ballot-proposer': { machine: ballotProposer, persist: [], environment: ballotProposerEvents },
  },
  nodes: cluster,
  faults: { network: 'unordered', loss: 2, duplicate: 2, crash: 2, partition: 1 },
  symmetric: ['acceptor', 'learner'],
  // With 7 nodes there are 63 ways to split the network in two, each one partition action:
  // weigh the other kinds up so that partitions stay an occasional fault, not most steps.
  exploration: { weights: { deliver: 40, env: 6, drop: 3, duplicate: 3, crash: 3, restart: 12, partition: 1, heal: 12 } },
  mutants,
});
