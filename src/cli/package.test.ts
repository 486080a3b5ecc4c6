/**
 * protokit as a package people depend on, tried as a new user would: `npm pack` the repository,
 * install the tarball with npm into a fresh project outside it (one without `"type": "module"`, the
 * npm default, where a .ts suite is CommonJS to Node unless the kit's loader says otherwise), and
 * there write a model and a suite importing from 'protokit' and use them through the bin, vitest,
 * plain node and tsc. Then `protokit init` a second project and run its own `npm test`.
 *
 * The other packages are installed at the versions of this repository's lock file, with
 * --prefer-offline, so a warm npm cache is enough and CI needs only the registry it has anyway.
 */
import { execFileSync, spawn, spawnSync, type SpawnSyncReturns } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const NPX = process.platform === 'win32' ? 'npx.cmd' : 'npx';
/** Hang-only limit of each command the user runs (npm install, pack, a check): minutes under load. */
const LONG = 600_000;

/** The child's environment: ours, without the npm_* variables `npm test` sets for its own package. */
const env = Object.fromEntries(
  Object.entries(process.env).filter(([key]) => !/^npm_/i.test(key) || /^npm_config_(cache|registry|userconfig)$/i.test(key)),
);
env.NO_COLOR = '1';

function run(command: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: LONG });
}

/** Runs a command that must succeed; a failure shows its output. */
function ok(command: string, args: string[], cwd: string): string {
  const r = run(command, args, cwd);
  if (r.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${r.status}\n${r.stdout}\n${r.stderr}`);
  return r.stdout;
}

/** `name@version` of a package as this repository's lock file pins it. */
function locked(name: string): string {
  const lock = JSON.parse(readFileSync(join(ROOT, 'package-lock.json'), 'utf8')) as { packages: Record<string, { version: string }> };
  return `${name}@${lock.packages[`node_modules/${name}`]!.version}`;
}

const INSTALL = ['install', '--prefer-offline', '--no-audit', '--no-fund'];

interface Ran {
  readonly status: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Like `run`, without blocking: the user's commands run at once, each test awaits its own. */
function runLater(command: string, args: string[], cwd: string): Promise<Ran> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += String(d)));
    child.stderr.on('data', (d) => (stderr += String(d)));
    child.on('error', fail);
    child.on('close', (status) => done({ status, stdout, stderr }));
  });
}

/** Like `ok`, without blocking: the second project installs while the first one's tests run. */
function okLater(command: string, args: string[], cwd: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    child.stdout.on('data', (d) => (out += String(d)));
    child.stderr.on('data', (d) => (out += String(d)));
    child.on('error', fail);
    child.on('close', (code) => (code === 0 ? done(out) : fail(new Error(`${command} ${args.join(' ')} exited ${code}\n${out}`))));
  });
}

// ---- What the user writes ---------------------------------------------------------------------

const MODEL = `
// A client pings a server, which answers each ping with a pong of the same number.
import { assign, emit, setup } from 'xstate';
import { defineModel, observe, send, type Effect, type Received } from 'protokit';

export type Ping = { type: 'Ping'; n: number };
export type Pong = { type: 'Pong'; n: number };

const serverSetup = setup({
  types: { context: {} as { shift: number }, events: {} as Received<Ping> | { type: 'RECOVER' }, emitted: {} as Effect },
  actions: { answer: emit(({ context, event }) => send((event as Received<Ping>).from, { type: 'Pong', n: (event as Received<Ping>).n + context.shift })) },
});
export const server = serverSetup.createMachine({ id: 'server', context: { shift: 0 }, on: { Ping: { actions: 'answer' } } });

export interface ClientContext { readonly sent: number; readonly got: readonly number[] }
const clientSetup = setup({
  types: { context: {} as ClientContext, events: {} as Received<Pong> | { type: 'Go' } | { type: 'RECOVER' }, emitted: {} as Effect },
  actions: {
    ping: emit(({ context }) => send('server', { type: 'Ping', n: context.sent + 1 })),
    count: assign({ sent: ({ context }) => context.sent + 1 }),
    record: assign({ got: ({ context, event }) => [...new Set([...context.got, (event as Received<Pong>).n])].sort() }),
    observePong: emit(({ event }) => observe({ type: 'Pong', n: (event as Received<Pong>).n })),
  },
});
export const client = clientSetup.createMachine({
  id: 'client',
  context: { sent: 0, got: [] },
  on: { Go: { actions: ['ping', 'count'] }, Pong: { actions: ['record', 'observePong'] } },
});

// The mutant: answers shifted by one, made with xstate's own provide (no casts).
const answersWrong = server.provide({
  actions: { answer: emit(({ event }) => send((event as Received<Ping>).from, { type: 'Pong', n: (event as Received<Ping>).n + 1 })) },
});

export default defineModel({
  name: 'ping',
  title: 'ping and pong',
  params: { pings: { default: 2, min: 1, max: 4, description: 'pings the client sends' } },
  roles: {
    server: { machine: server, persist: [] },
    client: { machine: client, persist: [], environment: (node, params) => (Number(node.context.sent) < Number(params.pings) ? [{ type: 'Go' }] : []) },
  },
  nodes: () => [{ id: 'server', role: 'server', input: {} }, { id: 'client', role: 'client', input: {} }],
  faults: { network: 'unordered', loss: 0, duplicate: 1, crash: 0, partition: 0 },
  mutants: {
    'answers-wrong': { description: 'the server answers n with n+1', breaks: 'pong-answers-a-ping', roles: { server: { machine: answersWrong } } },
  },
});
`;

const SUITE = `
import { always, defineSuite, sometimes, type WorldView } from 'protokit';
import model from './ping.model.js';

export const answers = always('pong-answers-a-ping', 'every pong answers a ping sent', (w) => {
  const client = w.node('client');
  const stray = client.context.got.filter((n: number) => n > client.context.sent);
  if (stray.length > 0) return 'the client got pong ' + stray.join(', ') + ' but sent ' + client.context.sent + ' pings';
});
export const ponged = sometimes('ponged', 'a pong arrives', (w) => w.observations.some((o) => o.type === 'Pong'));

// The exchange is over when the client has sent all its pings and got a pong for each: nothing is
// left to do there, and that is no deadlock. A world where nothing is left to do before then (a
// ping never answered) is one, and protokit reports it.
const done = (w: WorldView) => {
  const client = w.node('client');
  return client.context.sent === Number(w.params.pings) && client.context.got.length === client.context.sent;
};

export default defineSuite({ model, properties: [answers, ponged], budget: { runs: 200, depth: 12 }, terminal: done });
`;

const VITEST = `
import { expect, test } from 'vitest';
import { checkSuite, expectCaught, explore } from 'protokit';
import suite from './ping.suite.js';

test('ping holds', () => {
  expect(checkSuite(suite, { traceDir: null }).violation).toBeNull();
});
test('the wrong answer is caught', () => {
  expect(expectCaught(suite, 'answers-wrong', { traceDir: null }).violation?.property).toBe('pong-answers-a-ping');
});
test('every state of ping', async () => {
  const result = await explore(suite, {});
  expect([result.complete, result.violation]).toEqual([true, null]);
  expect(result.distinctStates).toBeGreaterThan(1);
});
`;

const TSCONFIG = JSON.stringify({
  compilerOptions: { target: 'ES2022', module: 'NodeNext', moduleResolution: 'NodeNext', strict: true, noEmit: true, skipLibCheck: true, types: ['node'] },
  include: ['*.ts'],
});

// ---- The test -----------------------------------------------------------------------------------

let tmp = '';
let tarball = '';
let project = '';
let app = '';
let init: SpawnSyncReturns<string>;
let appInstalled: Promise<string>;
let typeChecked: Promise<string>;
let ran: Record<'check' | 'caught' | 'explore' | 'builtIn' | 'vitest' | 'node', Promise<Ran>>;

beforeAll(() => {
  tmp = mkdtempSync(join(tmpdir(), 'protokit-package-'));
  // `npm pack` runs `prepare`, the build, so the tarball holds a fresh dist/.
  execFileSync(NPM, ['pack', '--pack-destination', tmp], { cwd: ROOT, env, stdio: 'pipe', timeout: LONG });
  tarball = join(tmp, readdirSync(tmp).find((f) => f.endsWith('.tgz'))!);
  project = join(tmp, 'user');
  mkdirSync(project);
  writeFileSync(join(project, 'package.json'), JSON.stringify({ name: 'user', version: '0.0.0', private: true }));
  ok(NPM, [...INSTALL, tarball, locked('xstate'), locked('vitest'), locked('typescript'), locked('@types/node')], project);
  writeFileSync(join(project, 'ping.model.ts'), MODEL);
  writeFileSync(join(project, 'ping.suite.ts'), SUITE);
  writeFileSync(join(project, 'ping.test.ts'), VITEST);
  writeFileSync(join(project, 'tsconfig.json'), TSCONFIG);
  typeChecked = okLater(NPX, ['tsc', '--noEmit', '-p', '.'], project);
  typeChecked.catch(() => {}); // awaited (and reported) by its test
  // What the user runs, all at once (each test awaits its own; they do not depend on each other).
  ran = {
    check: runLater(NPX, ['protokit', 'check', 'ping', '--load', 'ping.suite.ts'], project),
    caught: runLater(NPX, ['protokit', 'check', 'ping', '--load', 'ping.suite.ts', '--mutant', 'answers-wrong'], project),
    explore: runLater(NPX, ['protokit', 'explore', 'ping', '--load', 'ping.suite.ts', '--json'], project),
    builtIn: runLater(NPX, ['protokit', 'explore', 'two-phase-commit', '--config', 'preset=tla', '--json'], project),
    vitest: runLater(NPX, ['vitest', 'run', '--reporter=dot'], project),
    node: runLater(process.execPath, ['--input-type=module', '-e', "const m = await import('protokit'); console.log(typeof m.checkRandom, typeof m.explore, typeof m.defineModel)"], project),
  };
  // The scaffolded project, pointed at the tarball, installs in the background.
  app = join(tmp, 'app');
  init = run(NPX, ['protokit', 'init', app, '--protokit', tarball], project);
  if (init.status === 0) {
    appInstalled = okLater(NPM, INSTALL, app);
    appInstalled.catch(() => {}); // awaited (and reported) by its test
  }
}, LONG);

afterAll(async () => {
  await Promise.allSettled([appInstalled, typeChecked, ...Object.values(ran ?? {})]);
  if (tmp) await rm(tmp, { recursive: true, force: true });
}, LONG);

describe('the packed tarball, unpacked', () => {
  test("its bin runs the bundle it ships, on plain node: --version, and a check of a shipped model", () => {
    // Unpacked beside a link to this repository's node_modules, so its dependencies resolve as they would once installed.
    const unpacked = join(tmp, 'unpacked');
    mkdirSync(unpacked);
    execFileSync('tar', ['-xzf', tarball, '-C', unpacked]);
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').map((f) => f.replace(/^package\//, ''));
    // One bundle: the command line and the exports share chunks; the modules of the sources are not shipped one by one.
    expect(files).toContain('dist/src/cli/main.js');
    expect(files).toContain('dist/src/cli/supervise-worker.mjs');
    expect(files.filter((f) => f.startsWith('dist/chunks/')).length).toBeGreaterThan(5);
    expect(files.filter((f) => /^dist\/src\/(engine|explore)\/.*\.js$/.test(f) && !/\/worker\.js$/.test(f))).toEqual([]);
    symlinkSync(join(ROOT, 'node_modules'), join(unpacked, 'node_modules'));
    const bin = join(unpacked, 'package', 'dist', 'src', 'cli', 'bin.mjs');
    const runBin = (...args: string[]) => spawnSync(process.execPath, [bin, ...args], { cwd: tmp, encoding: 'utf8', timeout: LONG, env: { ...process.env, NO_COLOR: '1' } });
    const version = runBin('--version');
    const { version: packageVersion } = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    expect([version.status, version.stdout, version.stderr]).toEqual([0, `${packageVersion}\n`, '']);
    const check = runBin('check', 'two-phase-commit', '--runs', '1', '--out', join(tmp, 'unpacked-traces'));
    expect([check.status, check.stderr]).toEqual([1, '']);
    expect(check.stdout.split('\n')[0]).toBe('two-phase-commit');
    expect(check.stdout).toContain('  1 runs, 14 steps, 15 distinct states in ');
    expect(check.stdout).toContain('witnesses: ✗ commits  ✓ aborts  ✗ commits-after-recovery');
  });
});

describe('the packed tarball, installed into a fresh project', () => {
  test('holds dist, the example models and suites, README and LICENSE, and no tests of the kit', () => {
    const files = execFileSync('tar', ['-tzf', tarball], { encoding: 'utf8' }).split('\n').filter(Boolean);
    for (const f of ['package/dist/src/index.js', 'package/dist/src/index.d.ts', 'package/dist/src/index.js.map', 'package/dist/src/cli/bin.mjs', 'package/dist/src/render/viewer/viewer.js', 'package/dist/src/studio/page/studio.js', 'package/dist/src/studio/page/studio.css', 'package/dist/src/explore/bfs/worker-boot.mjs', 'package/dist/properties/registry.js', 'package/models/raft/index.ts', 'package/README.md', 'package/LICENSE']) {
      expect(files).toContain(f);
    }
    expect(files.filter((f) => f.startsWith('package/src/') || f.startsWith('package/bench/') || f.startsWith('package/traces/') || /dist\/.*\.test\.(js|d\.ts)$/.test(f))).toEqual([]);
  });

  test('npx protokit check --load runs the user suite (a .ts file, in a package without "type": "module")', async () => {
    const r = await ran.check;
    expect([r.status, r.stderr]).toEqual([0, '']);
    expect(r.stdout).toContain('✓ no invariant violated');
    const caught = await ran.caught;
    expect(caught.status).toBe(1);
    expect(caught.stdout).toContain('✗ pong-answers-a-ping violated');
  }, LONG);

  test('npx protokit explore --load searches it exhaustively, and the built-in models run too', async () => {
    const r = await ran.explore;
    expect(r.status).toBe(0);
    const json = JSON.parse(r.stdout) as { complete: boolean; violation: unknown; distinctStates: number };
    expect([json.complete, json.violation]).toEqual([true, null]);
    const builtIn = await ran.builtIn;
    expect([builtIn.status, (JSON.parse(builtIn.stdout) as { distinctStates: number }).distinctStates]).toEqual([0, 288]);
  }, LONG);

  test('vitest runs checkSuite, expectCaught and explore on it', async () => {
    const r = await ran.vitest;
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/Tests\s+3 passed/);
  }, LONG);

  test('plain node imports protokit (no TypeScript loader)', async () => {
    const r = await ran.node;
    expect([r.status, r.stdout.trim(), r.stderr]).toEqual([0, 'function function function', '']);
  });

  test('tsc --noEmit passes under strict settings with skipLibCheck (protokit ships declarations)', async () => {
    await typeChecked;
  }, LONG);

  test('protokit init scaffolds a project whose own npm test passes', async () => {
    expect([init.status, init.stderr]).toEqual([0, '']);
    for (const file of ['.gitignore', 'README.md', 'tsconfig.json', 'vitest.config.ts', 'models/lock.ts', 'properties/lock.ts', 'properties/lock.test.ts']) expect(existsSync(join(app, file))).toBe(true);
    // init --protokit wrote the tarball as the dependency, relative to the project.
    expect((JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string> }).dependencies.protokit).toBe(`file:../${tarball.split('/').at(-1)}`);
    await appInstalled;
    const out = ok(NPM, ['test', '--', '--reporter=dot'], app);
    expect(out).toMatch(/Tests\s+3 passed/); // checkSuite, expectCaught, explore
    // init never overwrites.
    const again = run(NPX, ['protokit', 'init', app], project);
    expect(again.status).toBe(2);
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
  }, LONG);
});
