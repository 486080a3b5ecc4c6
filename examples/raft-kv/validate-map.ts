/**
 * `protokit validate <dir>/logs/*.ndjson --model raft --map examples/raft-kv/validate-map.ts`
 *
 * The raft-kv servers write the runtime's own log format (protokit-log/1), so no line needs
 * mapping; what this module says is which of their environment events the application, not the
 * model's environment, decides:
 * - `ClientRequest`: the HTTP API's put and get, each a JSON command (`{"op":"put","key":"k1",…}`)
 *   where the model's environment offers a sample command (`c1.1`) and none once a leader's log
 *   holds `maxLog` entries;
 * - `Timeout`: the election timer fires `{type:'Timeout'}` as it is (server.ts: `fire`), where
 *   the model stops offering it at `maxTerm`.
 * Both are explained whenever the Raft machine takes them. `Heartbeat` stays the model's: the
 * servers fire the one the environment lists.
 */
export default {
  applicationEvents: ['ClientRequest', 'Timeout'],
};
