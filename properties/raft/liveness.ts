/**
 * Raft's liveness that holds under the model's fairness (and the configuration's bounds).
 *
 * What is assumed, and why it holds: Raft promises progress only with a stable leader (the
 * paper's timing requirement, section 5.6); without one, elections may split for ever
 * (leader-eventually-elected fails, the preset split-votes). In the model a leader of term
 * `maxTerm` is stable: no server may time out past `maxTerm`, so nothing but a crash deposes
 * it. Its Heartbeat is fair and undropped messages are delivered, so every follower that stays
 * up (or restarts: restarts are fair) is eventually sent, and stores, the leader's log, and
 * learns the leader's commit index from leaderCommit. So: an entry committed by a stable leader
 * is eventually applied by every server that is up, unless that leader crashes first.
 *
 * It is not "every committed entry is eventually applied everywhere": a leader of an earlier
 * term may commit an entry and be deposed before its followers hear of it; the next leader may
 * commit it only together with an entry of its own term (Figure 8), and client requests are not
 * fair. A later leader that never gets a command never commits, and that is allowed.
 */
import type { RaftContext } from '../../models/raft/index.js';
import { leadsTo, type NodeView, type WorldView } from '../../src/index.js';

const ctx = (n: NodeView): RaftContext => n.context as RaftContext;

/** The up leader that no election can depose (its term is the configuration's last), if any. */
function stableLeader(w: WorldView): NodeView | undefined {
  return w.role('server').find((n) => n.up && n.state === 'leader' && ctx(n).currentTerm >= Number(w.params.maxTerm));
}

/** The up servers that have not applied every entry the stable leader has committed. */
function behind(w: WorldView, leader: NodeView): NodeView[] {
  return w.role('server').filter((n) => n.up && ctx(n).lastApplied < ctx(leader).commitIndex);
}

/**
 * Liveness: whenever a stable leader has committed entries that some up server has not applied,
 * eventually every up server has applied them (or that leader crashed).
 */
export const stableLeaderCommitsApplied = leadsTo(
  'stable-leader-commits-applied',
  'an entry committed by a stable leader (of the last term) is eventually applied by every server that is up, unless that leader crashes',
  (w) => {
    const leader = stableLeader(w);
    return leader !== undefined && behind(w, leader).length > 0;
  },
  (w) => {
    const leader = stableLeader(w);
    return leader === undefined || behind(w, leader).length === 0;
  },
);
