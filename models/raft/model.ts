/**
 * The Raft model: the wiring (n servers, each with every other as a peer), the server role with
 * what it persists and its environment events (Timeout, Heartbeat, ClientRequest), the
 * parameters that bound terms and logs, the default faults and exploration weights, and the mutants.
 */
import { defineModel, type NodeSpec, type Params } from '../../src/index.js';
import { mutants } from './mutants.js';
import { raftServer, type RaftContext } from './server.js';

// ---- Wiring ---------------------------------------------------------------------------------

function serverIds(params: Params): string[] {
  return Array.from({ length: Number(params.nodes) }, (_, i) => `n${i + 1}`);
}

function cluster(params: Params): NodeSpec[] {
  const ids = serverIds(params);
  return ids.map((id) => ({ id, role: 'server', input: { id, peers: ids.filter((p) => p !== id) } }));
}

// ---- The model ------------------------------------------------------------------------------

export default defineModel({
  name: 'raft',
  title: 'Raft (Ongaro & Ousterhout, "In Search of an Understandable Consensus Algorithm", 2014, Figure 2)',
  params: {
    nodes: { default: 3, min: 3, max: 7, description: 'number of servers' },
    maxTerm: { default: 8, min: 1, max: 20, description: 'no election timeout once a server reaches this term' },
    maxLog: { default: 3, min: 1, max: 20, description: 'a leader takes no client request once its log holds this many entries' },
  },
  roles: {
    server: {
      machine: raftServer,
      persist: ['currentTerm', 'votedFor', 'log'],
      environment: (node, params) => {
        const c = node.context as RaftContext;
        if (node.state === 'leader') {
          const heartbeat = { type: 'Heartbeat' };
          if (c.log.length >= Number(params.maxLog)) return [heartbeat];
          return [heartbeat, { type: 'ClientRequest', command: `c${c.currentTerm}.${c.log.length + 1}` }];
        }
        return c.currentTerm < Number(params.maxTerm) ? [{ type: 'Timeout' }] : [];
      },
    },
  },
  nodes: cluster,
  faults: { network: 'unordered', loss: 2, duplicate: 2, crash: 2, partition: 1 },
  symmetric: ['server'],
  // Terms are the scarce resource of a run: a Timeout that comes too often starts elections that
  // nobody finishes. Rare timeouts and heartbeats let each term play out (and let Figure 8's
  // interleavings, which need several complete elections, happen); measured in the README.
  // Quiet nodes (a few servers time out in a run, the others only vote and store) make Figure 8
  // on 5 servers about twice as likely per run (src/explore/random/strategy.ts).
  exploration: { weights: { deliver: 16 }, eventWeights: { Timeout: 1, Heartbeat: 1, ClientRequest: 2 }, quietNodes: true },
  mutants,
});
