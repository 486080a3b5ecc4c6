/**
 * The studio's server, over real HTTP on loopback: it refuses requests without the token and
 * paths it does not serve, steps through the engine (a path walked here gives, world by world,
 * what `replay` gives for the same actions), saves normal traces only under its folder, and
 * bounds its searches and bodies.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { suites } from '../../properties/registry.js';
import { compact, stateName } from '../render/describe.js';
import { loadTrace } from '../trace/file.js';
import { replay } from '../trace/replay.js';
import { withProperties } from '../index.js';
import { startStudio, type Studio } from './server.js';

// The 18-step counterexample these tests walk (kept here: traces/raft/votes-twice.json is regenerated when a shorter one is found).
const VOTES_TWICE = 'src/studio/fixtures/votes-twice-18.json';
let studio: Studio;
let out: string;
let base: string;

beforeAll(async () => {
  out = mkdtempSync(join(tmpdir(), 'protokit-studio-'));
  studio = await startStudio({
    suites,
    out,
    tracesDir: 'traces',
    trace: VOTES_TWICE,
    initial: { model: 'raft', config: [], mutant: null, faults: null, network: null, path: [] },
    host: '127.0.0.1',
    port: 0,
  });
  base = studio.url.slice(0, studio.url.indexOf('/?token='));
});

afterAll(async () => {
  await studio?.close();
  if (out) rmSync(out, { recursive: true, force: true });
});

const withToken = (path: string) => `${base}${path}${path.includes('?') ? '&' : '?'}token=${studio.token}`;
async function get(path: string): Promise<{ status: number; body: any }> {
  const response = await fetch(withToken(path));
  const text = await response.text();
  return { status: response.status, body: response.headers.get('content-type')?.startsWith('application/json') ? JSON.parse(text) : text };
}
async function save(query: string, body: string): Promise<{ status: number; body: any }> {
  const response = await fetch(withToken(`/api/save?${query}`), { method: 'POST', body, headers: { 'content-type': 'application/json' } });
  return { status: response.status, body: await response.json() };
}

describe('protokit studio: the server', () => {
  test('the printed address is on loopback and carries a long random token', () => {
    expect(studio.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/\?token=[0-9a-f]{48}#model=raft&path=$/);
  });

  test('no token, a wrong token or a token of another length: 403 and nothing else', async () => {
    for (const url of [`${base}/`, `${base}/api/state?model=raft&path=`, `${base}/api/session?token=x`, `${base}/?token=${'0'.repeat(48)}`]) {
      const response = await fetch(url);
      expect([url, response.status]).toEqual([url, 403]);
      expect(await response.text()).toBe('forbidden: this address needs the token printed by protokit studio\n');
    }
    // The token in a header is accepted too (the page sends it so).
    const header = await fetch(`${base}/api/session`, { headers: { 'x-protokit-token': studio.token } });
    expect(header.status).toBe(200);
  });

  test('only the paths the page needs are served, each with its one method', async () => {
    for (const path of ['/etc/passwd', '/../package.json', '/api', '/api/state/', '/studio.js', '/traces/raft/votes-twice.json', '/%2e%2e/package.json']) {
      expect([path, (await get(path)).status]).toEqual([path, 404]);
    }
    const post = await fetch(withToken('/api/state?model=raft&path='), { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect((await get('/api/save?model=raft&path=')).status).toBe(405);
    const page = await fetch(withToken('/'));
    expect(page.status).toBe(200);
    expect(page.headers.get('content-security-policy')).toMatch(/^default-src 'none'; script-src 'nonce-[A-Za-z0-9+/=]+'; /);
    expect(page.headers.get('referrer-policy')).toBe('no-referrer');
  });

  test('bad input: one line naming the problem, status 400', async () => {
    const cases: [string, string][] = [
      ['/api/state?model=<script>&path=', `unknown model '<script>' (accepted: ${suites.map((s) => s.model.name).join(', ')})`],
      ['/api/state?model=raft&path=0.x', "path step 2: 'x' is not an action number"],
      ['/api/state?model=raft&path=99', 'path step 1: there is no action 99 (9 enabled there: 0..8)'],
      ['/api/state?model=raft&config=nodes=zz&path=', 'config nodes=zz: expected a whole number'],
      ['/api/state?model=raft&mutant=nope&path=', `unknown mutant 'nope' for raft (accepted: ${Object.keys(suites.find((s) => s.model.name === 'raft')!.model.mutants).join(', ')})`],
      ['/api/trace?id=9999', `id must be a whole number in 0..${studio.catalogue.entries.length - 1}, not '9999'`],
      ['/api/find?model=raft&path=&property=leader-eventually-elected', 'leader-eventually-elected is a liveness property (eventually): Find looks for invariant violations and witnesses; decide liveness with protokit explore or check'],
      ['/api/find?model=raft&path=&property=x&maxStates=99999999', "maxStates must be a whole number in 1..500000, not '99999999'"],
    ];
    for (const [path, error] of cases) expect([path, await get(path)]).toEqual([path, { status: 400, body: { error } }]);
  });

  test("stepping is the engine's: the worlds along a trace's path are the worlds replay gives", async () => {
    const entry = studio.catalogue.entries.find((e) => e.file === VOTES_TWICE)!;
    expect(entry.id).toBe(0);
    const opened = await get(`/api/trace?id=${entry.id}`);
    const query = new URLSearchParams(opened.body.query);
    expect([query.get('model'), query.get('mutant'), query.get('faults'), query.get('path')!.split('.').length]).toEqual(['raft', 'votes-twice', 'loss=2,duplicate=2,crash=2,partition=1', 18]);
    const trace = loadTrace(VOTES_TWICE);
    // Recorded under Figure 3's election-safety alone (raft.test.ts leaves the rules of Figure 2 out for
    // votes-twice): replayed under every property, votes-of-this-term would stop it at step 15.
    const worlds = replay(withProperties(suites.find((s) => s.model.name === 'raft')!, ['election-safety']), trace).execution.worlds;
    const path = query.get('path')!.split('.');
    for (let k = 0; k <= path.length; k++) {
      query.set('path', path.slice(0, k).join('.'));
      const state = (await get(`/api/state?${query}`)).body;
      const nodes = state.nodes.map((n: any) => [n.id, n.state, Object.fromEntries(n.fields.map((f: any) => [f.key, f.value]))]);
      const expected = worlds[k]!.nodes.map((n, i) => [`n${i + 1}`, stateName(n), Object.fromEntries(Object.entries(n.context).map(([key, v]) => [key, compact(v)]))]);
      expect([k, nodes]).toEqual([k, expected]);
      expect(state.network.reduce((sum: number, m: any) => sum + m.copies, 0)).toBe(worlds[k]!.network.length);
      // election-safety turns red at step 18, where the mutant lets a second leader into term 2.
      const safety = state.properties.find((p: any) => p.name === 'election-safety');
      expect([k, safety.status]).toEqual([k, k === 18 ? 'violated' : 'holds']);
    }
  });

  test('a path walked by hand and saved is a normal trace: replay gives the same worlds; names are checked, nothing is overwritten', async () => {
    // n1 times out, n2 and n3 vote for it, n1 hears one vote: n1 leads term 1.
    const query = 'model=raft&config=nodes=3&path=0.0.0.1';
    const state = (await get(`/api/state?${query}`)).body;
    expect(state.path.map((p: any) => p.text)).toEqual([
      'n1: Timeout',
      'deliver n1→n2 RequestVote{term:1, candidateId:n1, lastLogIndex:0, lastLogTerm:0}',
      'deliver n1→n3 RequestVote{term:1, candidateId:n1, lastLogIndex:0, lastLogTerm:0}',
      'deliver n3→n1 RequestVoteResponse{term:1, voteGranted:true}',
    ]);
    expect(state.nodes.map((n: any) => n.state)).toEqual(['leader', 'follower', 'follower']);
    expect(state.properties.find((p: any) => p.name === 'leader-elected').status).toBe('reached');
    const saved = await save(query, JSON.stringify({ name: 'elected' }));
    expect(saved).toEqual({ status: 200, body: { file: join(out, 'raft', 'elected.json'), steps: 4, expect: 'pass', violation: null } });
    const trace = loadTrace(join(out, 'raft', 'elected.json'));
    expect(trace.origin).toEqual({ command: 'manual' });
    const replayed = replay(suites.find((s) => s.model.name === 'raft')!, trace);
    expect(replayed.execution.worlds.map((w) => w.nodes.map(stateName))).toEqual([
      ['follower', 'follower', 'follower'],
      ['candidate', 'follower', 'follower'],
      ['candidate', 'follower', 'follower'],
      ['candidate', 'follower', 'follower'],
      ['leader', 'follower', 'follower'],
    ]);
    expect(await save(query, JSON.stringify({ name: 'elected' }))).toEqual({ status: 400, body: { error: `${join(out, 'raft', 'elected.json')} exists already: choose another name` } });
    expect(await save(query, JSON.stringify({ name: '../../escape' }))).toEqual({ status: 400, body: { error: "the trace name: it contains '..'" } });
    expect(await save(query, 'not json')).toEqual({ status: 400, body: { error: 'the request body is not JSON' } });
    expect(await save(query, JSON.stringify({ name: 'x'.repeat(5000) }))).toEqual({ status: 413, body: { error: 'the request body is larger than 4096 bytes' } });
    expect(existsSync(join(out, '..', 'escape.json'))).toBe(false);
  });

  test('Find: a shortest continuation by breadth-first search, a seeded random one, and a bound that cuts the search short says so', async () => {
    const bfs = (await get('/api/find?model=raft&path=&property=leader-elected&mode=bfs')).body;
    expect(bfs).toEqual({ property: 'leader-elected', found: 3, message: 'leader-elected is reached: a leader is elected', complete: true, states: 69, runs: 0, steps: 101, query: 'model=raft&path=0.0.1' });
    const random = (await get('/api/find?model=raft&path=&property=leader-elected&mode=random&seed=7')).body;
    expect(random.found).toBeGreaterThanOrEqual(3);
    expect(random.query).toMatch(/^model=raft&path=\d+(\.\d+)+$/);
    const again = (await get('/api/find?model=raft&path=&property=leader-elected&mode=random&seed=7')).body;
    expect(again).toEqual(random);
    const cut = (await get('/api/find?model=raft&path=&property=election-safety&mode=bfs&maxStates=50')).body;
    expect(cut).toEqual({ property: 'election-safety', found: null, message: 'not found in 50 states within 60 steps from here: a bound cut the search short (raise the states or depth bound)', complete: false, states: 50, runs: 0, steps: cut.steps, query: null });
  });

  test('the diagram is the HTML viewer of the path', async () => {
    const page = (await get('/diagram?model=raft&path=0.0.0.1')).body as string;
    expect(page).toContain('<title>raft — protokit trace</title>');
    expect(page).toContain('"text":"deliver n3→n1 RequestVoteResponse{term:1, voteGranted:true}"');
  });
});
