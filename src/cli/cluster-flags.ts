/** The `--cluster*` flags shared by `explore`, `check --queue` and `worker` (src/cluster/nats.ts). */
import type { ClusterCredentials } from '../cluster/nats.js';

export interface ClusterFlags {
  cluster?: string;
  clusterToken?: string;
  clusterUser?: string;
  clusterPassword?: string;
  clusterInsecure?: boolean;
  /** Seconds a worker may take over one unit before its unit goes to another. */
  clusterTimeout?: number;
  /** Seconds to wait for workers. */
  clusterWait?: number;
  /** `explore --cluster`: workers that must have joined before the search starts. */
  clusterWorkers?: number;
}

/** The credentials the flags give; the token may come from PROTOKIT_CLUSTER_TOKEN instead (a Kubernetes secret, kept out of `ps`). */
export function credentialsOf(flags: ClusterFlags, url: string | undefined = flags.cluster): ClusterCredentials {
  const token = flags.clusterToken ?? (flags.clusterUser === undefined ? process.env.PROTOKIT_CLUSTER_TOKEN || undefined : undefined);
  return {
    url: url ?? '',
    ...(token !== undefined ? { token } : {}),
    ...(flags.clusterUser !== undefined ? { user: flags.clusterUser } : {}),
    ...(flags.clusterPassword !== undefined ? { password: flags.clusterPassword } : {}),
    insecure: flags.clusterInsecure === true,
  };
}

/** Default seconds a unit may take on a worker before it goes to another. */
export const CLUSTER_TIMEOUT_S = 60;
/** Default seconds to wait for a first worker. */
export const CLUSTER_WAIT_S = 600;
