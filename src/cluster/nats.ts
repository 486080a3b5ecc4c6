/**
 * Connecting to the NATS server a cluster runs on, with NATS's own credentials (a token, or a
 * user and password). A server URL without credentials is refused unless `--cluster-insecure`
 * says an open server is meant: a search's workers run whatever model the coordinator names,
 * so who may talk on the server matters.
 */
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { EnvironmentError, UsageError } from '../engine/errors.js';

export interface ClusterCredentials {
  readonly url: string;
  readonly token?: string;
  readonly user?: string;
  readonly password?: string;
  /** Connect without credentials (an open server: a test bench, a private network). */
  readonly insecure?: boolean;
}

/** Seconds a client keeps trying to reconnect after the server went away, before it gives up. */
export const RECONNECT_SECONDS = 20;

/** Refuses a URL that is not nats:// (or tls://) on a host name or address, or that holds credentials. */
export function checkClusterUrl(given: string, flag: string): void {
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new UsageError(`${flag} takes nats://HOST:PORT, not '${given}'`);
  }
  if (url.protocol !== 'nats:' && url.protocol !== 'tls:') throw new UsageError(`${flag} takes nats://HOST:PORT (or tls://), not '${given}'`);
  // nats:// is not a scheme WHATWG URLs know, so any bytes pass as its host; the client refuses them later, as if the server were down.
  if (!/^([A-Za-z0-9_-]+(\.[A-Za-z0-9_-]+)*|\[[0-9A-Fa-f:.]+\])$/.test(url.hostname)) throw new UsageError(`${flag} takes nats://HOST:PORT with a host name or address, not '${given}'`);
  if (url.username !== '' || url.password !== '') throw new UsageError(`${flag}: give credentials with --cluster-token or --cluster-user/--cluster-password, not in the URL (it is printed in rerun lines)`);
}

/** Refuses a URL that `checkClusterUrl` refuses, and credentials that do not go together. */
export function checkCredentials(c: ClusterCredentials, flag: string): void {
  checkClusterUrl(c.url, flag);
  if ((c.user === undefined) !== (c.password === undefined)) throw new UsageError('--cluster-user and --cluster-password go together');
  if (c.token !== undefined && c.user !== undefined) throw new UsageError('give --cluster-token or --cluster-user/--cluster-password, not both');
  const hasCredentials = c.token !== undefined || c.user !== undefined;
  if (!hasCredentials && !c.insecure) {
    throw new UsageError(`${flag}: no credentials; give --cluster-token T (or --cluster-user U --cluster-password P, or PROTOKIT_CLUSTER_TOKEN), or --cluster-insecure for a server open to anyone`);
  }
}

/** Connects; a refused credential is bad input (exit 2), a server that cannot be reached the environment (exit 74). */
export async function connectCluster(c: ClusterCredentials, name: string): Promise<NatsConnection> {
  try {
    return await connect({
      servers: c.url,
      name,
      ...(c.token !== undefined ? { token: c.token } : {}),
      ...(c.user !== undefined ? { user: c.user, pass: c.password } : {}),
      reconnectTimeWait: 1000,
      maxReconnectAttempts: RECONNECT_SECONDS,
      timeout: 20_000,
    });
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    if (error instanceof Error && (error.name === 'AuthorizationError' || error.constructor.name === 'AuthorizationError' || /authorization violation/i.test(message))) throw new UsageError(`the NATS server at ${c.url} refused the credentials (${message})`);
    throw new EnvironmentError(`cannot connect to the NATS server at ${c.url}: ${message}`);
  }
}

/**
 * Calls `lost` once when the connection is gone for good: closed after its reconnection attempts,
 * or disconnected for longer than `graceMs` (a run would otherwise wait on a server that is not
 * coming back).
 */
export function watchConnection(nc: NatsConnection, graceMs: number, lost: (why: string) => void): void {
  let timer: NodeJS.Timeout | null = null;
  let said = false;
  const say = (why: string) => {
    if (said) return;
    said = true;
    if (timer !== null) clearTimeout(timer);
    lost(why);
  };
  void (async () => {
    for await (const s of nc.status()) {
      if (s.type === 'disconnect' && timer === null) {
        timer = setTimeout(() => say(`the NATS server went away and did not come back within ${Math.round(graceMs / 1000)} s`), graceMs);
        timer.unref();
      } else if (s.type === 'reconnect' && timer !== null) {
        clearTimeout(timer);
        timer = null;
      }
    }
  })();
  void nc.closed().then(() => say('the connection to the NATS server closed'));
}
