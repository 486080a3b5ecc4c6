/**
 * The messages of single-decree Paxos, after "Paxos Made Simple" sections 2.2–2.3: Prepare (1a),
 * Promise (1b), Accept (2a) and Accepted (2b). Each comment names who sends it to whom.
 */

/** Proposer → acceptor (1a): "promise me ballot `ballot`". */
export type Prepare = { type: 'Prepare'; ballot: number };
/** Acceptor → proposer (1b): the promise, with the acceptor's highest acceptance (-1 and null: none). */
export type Promise = { type: 'Promise'; ballot: number; acceptedBallot: number; acceptedValue: string | null };
/** Proposer → acceptor (2a): "accept `value` in ballot `ballot`". */
export type Accept = { type: 'Accept'; ballot: number; value: string | null };
/** Acceptor → learner (2b): "I accepted `value` in ballot `ballot`". */
export type Accepted = { type: 'Accepted'; ballot: number; value: string | null };

/** A message as a node receives it: with its sender. */
export type Received<M> = M & { from: string };
