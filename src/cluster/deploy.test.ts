/**
 * The manifests in deploy/ are read as a user's cluster would read them, and every protokit
 * command line in them is checked against the CLI's own options: a flag renamed or a model
 * renamed in the kit breaks this test, not someone's cluster.
 */
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import { describe, expect, test } from 'vitest';
import { program } from '../cli/main.js';
import { loadSuites, findSuite } from '../cli/registry.js';
import { resolveInstance } from '../engine/instance.js';
import { parseConfigPairs } from '../cli/common.js';

const read = (name: string) => parseAllDocuments(readFileSync(new URL(`../../deploy/${name}`, import.meta.url), 'utf8')).map((d) => d.toJS() as Record<string, any>);

/** The protokit command lines of a manifest: containers' args (Kubernetes), services' command (compose). */
function kubernetesCommands(): { name: string; args: string[] }[] {
  return read('kubernetes.yaml').flatMap((doc) =>
    (doc.spec?.template?.spec?.containers ?? []).filter((c: any) => c.image?.startsWith('protokit')).map((c: any) => ({ name: `${doc.kind}/${doc.metadata.name}`, args: c.args as string[] })),
  );
}
function composeCommands(): { name: string; args: string[] }[] {
  const [compose] = read('docker-compose.yml');
  return Object.entries(compose!.services as Record<string, any>)
    .filter(([, s]) => s.image?.startsWith('protokit'))
    .map(([name, s]) => ({ name, args: s.command as string[] }));
}

/** What pins a run: the model, configuration, mutant and faults, which the coordinator, shards and workers must name alike (or they are refused). */
const pinned = (args: string[]) => args.filter((a, k) => k === 1 || ['--config', '--mutant', '--faults', '--no-faults'].includes(args[k - 1]!) || ['--config', '--mutant', '--faults', '--no-faults'].includes(a));
const flagValue = (args: string[], flag: string) => args[args.indexOf(flag) + 1];

async function checkCommandLine(args: string[]): Promise<void> {
  const cli = program(() => {});
  const command = cli.commands.find((c) => c.name() === args[0]);
  expect(command, `protokit has a command ${args[0]}`).toBeDefined();
  const { operands, unknown } = command!.parseOptions(args.slice(1));
  expect(unknown).toEqual([]);
  const options = command!.opts() as { config: string[]; cluster?: string };
  expect(options.cluster).toMatch(/^nats:\/\/[\w.-]+:4222$/);
  // The model and its configuration exist: the same resolution the command does.
  const suite = findSuite(await loadSuites(), operands[0]!);
  expect(() => resolveInstance(suite.model, { config: parseConfigPairs(options.config) })).not.toThrow();
}

describe('deploy/', () => {
  test('kubernetes.yaml: the NATS server, the token secret, the coordinator Job, the shards and the workers as Indexed Jobs', async () => {
    const docs = read('kubernetes.yaml');
    expect(docs.map((d) => `${d.kind}/${d.metadata.name}`)).toEqual(['Deployment/protokit-nats', 'Service/protokit-nats', 'Job/protokit-coordinator', 'Job/protokit-shards', 'Job/protokit-workers']);
    expect([docs[3]!.spec.completionMode, docs[4]!.spec.completionMode]).toEqual(['Indexed', 'Indexed']);
    const commands = kubernetesCommands();
    expect(commands.map((c) => c.args[0])).toEqual(['explore', 'shard', 'worker']);
    for (const c of commands) await checkCommandLine(c.args);
    // The coordinator is shard 0: the shards' Job runs the other --shards − 1, never restarted (a shard's part of the set lives in it).
    expect(Number(flagValue(commands[0]!.args, '--shards'))).toBe(docs[3]!.spec.completions + 1);
    expect([docs[3]!.spec.template.spec.restartPolicy, docs[3]!.spec.backoffLimit]).toEqual(['Never', 0]);
    expect(pinned(commands[1]!.args)).toEqual(pinned(commands[0]!.args));
    expect(pinned(commands[2]!.args)).toEqual(pinned(commands[0]!.args));
    // The token comes from the Secret, never from the manifest's text.
    for (const d of docs.slice(2)) expect(d.spec.template.spec.containers[0].env).toEqual([{ name: 'PROTOKIT_CLUSTER_TOKEN', valueFrom: { secretKeyRef: { name: 'protokit-cluster', key: 'token' } } }]);
  });

  test('docker-compose.yml: a NATS server with a token, a coordinator, a shard and workers', async () => {
    const commands = composeCommands();
    expect(commands.map((c) => [c.name, c.args[0]])).toEqual([
      ['coordinator', 'explore'],
      ['shard', 'shard'],
      ['worker', 'worker'],
    ]);
    for (const c of commands) await checkCommandLine(c.args);
    // One shard service: the coordinator's --shards 2.
    expect(flagValue(commands[0]!.args, '--shards')).toBe('2');
    expect(pinned(commands[1]!.args)).toEqual(pinned(commands[0]!.args));
    expect(pinned(commands[2]!.args)).toEqual(pinned(commands[0]!.args));
    const [compose] = read('docker-compose.yml');
    expect(compose!.services.nats.command).toEqual(['--auth', '${PROTOKIT_CLUSTER_TOKEN:?set PROTOKIT_CLUSTER_TOKEN}']);
  });
});
