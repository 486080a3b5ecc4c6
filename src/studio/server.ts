/**
 * The studio's HTTP server (Node's `http`, no framework): one page and the few requests it makes.
 *
 * Security, because the page can step any loaded model and write traces:
 * - every request needs the session's token (`?token=`, or the `x-protokit-token` header), the
 *   one in the printed address; a request without it gets 403 and nothing else;
 * - only the routes below exist (anything else is 404), each for one method (else 405);
 * - no file path comes from a request: traces are opened by their number in a list the server
 *   made at start, and saved under the output folder with a checked name (never overwriting);
 * - request bodies are bounded (413), the page's scripts run under a nonce-based CSP, and every
 *   string from a suite or a trace reaches the page as JSON data the page inserts as text.
 * It binds to loopback unless the command line names another host.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, relative, resolve } from 'node:path';
import { formatAction } from '../engine/actions.js';
import { ModelError, UsageError } from '../engine/errors.js';
import type { Instance } from '../engine/instance.js';
import type { Suite } from '../properties/suite.js';
import { renderHtml } from '../render/html.js';
import { saveTrace } from '../trace/file.js';
import { pathInside, unsafeNameReason } from '../trace/names.js';
import { buildTrace } from '../trace/replay.js';
import { catalogueOf, specOfTrace, type Catalogue } from './catalogue.js';
import { find, FIND_DEFAULTS, FIND_LIMITS, randomRun, type FindMode } from './find.js';
import { instanceOf, pathOf, searchOf, specOf, suiteOf, type Spec } from './spec.js';
import { snapshotOf } from './snapshot.js';
import { pathOfActions, walk } from './walk.js';

/** A request body is at most this long (a save names a file; nothing else posts). */
export const MAX_BODY_BYTES = 4_096;
/** URLs hold the path: long paths make long URLs. */
const MAX_HEADER_BYTES = 64 * 1024;
/** Random runs to start from are at most this long. */
const MAX_RANDOM_DEPTH = 1_000;

export interface StudioOptions {
  readonly suites: readonly Suite[];
  /** Where saved traces go (as `check --out`): `<out>/<model>/<name>.json`. */
  readonly out: string;
  /** The folder of saved traces the page lists (one folder per model). */
  readonly tracesDir: string;
  /** A trace file to list first (`--trace`). */
  readonly trace?: string;
  /** The suite module given to `--load`: saved traces record it (relative to the trace), so replay finds it. */
  readonly load?: string;
  /** What the page opens when its address names nothing. */
  readonly initial: Spec;
  readonly host: string;
  /** 0: any free port. */
  readonly port: number;
  /** Default: 24 random bytes, hex. */
  readonly token?: string;
}

export interface Studio {
  readonly server: Server;
  /** The address to open, with the token and the initial spec. */
  readonly url: string;
  readonly token: string;
  readonly catalogue: Catalogue;
  close(): Promise<void>;
}

const asset = (name: string) => readFileSync(new URL(`./page/${name}`, import.meta.url), 'utf8');

export async function startStudio(options: StudioOptions): Promise<Studio> {
  const token = options.token ?? randomBytes(24).toString('hex');
  const catalogue = catalogueOf(options.suites, options.tracesDir, options.trace);
  const page = { js: asset('studio.js'), css: asset('studio.css') };
  const instances = new InstanceCache(options.suites);
  const server = createServer({ maxHeaderSize: MAX_HEADER_BYTES }, (request, response) => {
    handle(request, response).catch((error) => fail(response, error));
  });

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://studio.invalid');
    if (!hasToken(request, url, token)) return send(response, 403, 'text/plain', 'forbidden: this address needs the token printed by protokit studio\n');
    const route = ROUTES[url.pathname];
    if (route === undefined) return send(response, 404, 'text/plain', 'not found\n');
    if (request.method !== route) return send(response, 405, 'text/plain', `method not allowed (use ${route})\n`, { allow: route });
    const q = url.searchParams;
    switch (url.pathname) {
      case '/': {
        const nonce = randomBytes(16).toString('base64');
        return send(response, 200, 'text/html; charset=utf-8', pageHtml(nonce, page), {
          'content-security-policy': `default-src 'none'; script-src 'nonce-${nonce}'; style-src 'nonce-${nonce}'; connect-src 'self'; frame-src 'self'; img-src data:; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`,
        });
      }
      case '/api/session':
        return json(response, {
          models: options.suites.map(modelInfo),
          traces: catalogue.entries,
          skippedTraces: catalogue.skipped.length,
          initial: searchOf(options.initial).toString(),
        });
      case '/api/state': {
        const { spec, suite, instance } = instances.resolve(q);
        const walked = walk(instance, spec.path);
        return json(response, { ...snapshotOf(suite, instance, spec, walked), ahead: aheadOf(instance, spec.path, q.get('ahead')) });
      }
      case '/api/trace': {
        const id = wholeNumber(q, 'id', 0, catalogue.entries.length - 1, null);
        const spec = specOfTrace(options.suites, catalogue.traces[id]!);
        return json(response, { query: searchOf(spec).toString(), entry: catalogue.entries[id] });
      }
      case '/api/random': {
        // A seeded random run from the initial world, as the start of a walk.
        const { spec, instance } = instances.resolve(q);
        const seed = wholeNumber(q, 'seed', 0, 2 ** 31 - 1, 1);
        const depth = wholeNumber(q, 'depth', 1, MAX_RANDOM_DEPTH, 30);
        return json(response, { query: searchOf({ ...spec, path: pathOfActions(instance, randomRun(instance, seed, depth)) }).toString() });
      }
      case '/api/find': {
        const { spec, suite, instance } = instances.resolve(q);
        const here = walk(instance, spec.path);
        const end = here.worlds[here.worlds.length - 1]!;
        const mode = q.get('mode') ?? 'bfs';
        if (mode !== 'bfs' && mode !== 'random') throw new UsageError(`unknown search '${mode}' (accepted: bfs, random)`);
        const result = find(instance, suite.properties, end, {
          property: q.get('property') ?? '',
          mode: mode as FindMode,
          maxStates: wholeNumber(q, 'maxStates', 1, FIND_LIMITS.maxStates, FIND_DEFAULTS.maxStates),
          depth: wholeNumber(q, 'depth', 1, FIND_LIMITS.depth, FIND_DEFAULTS.depth),
          runs: wholeNumber(q, 'runs', 1, FIND_LIMITS.runs, FIND_DEFAULTS.runs),
          seed: wholeNumber(q, 'seed', 0, 2 ** 31 - 1, FIND_DEFAULTS.seed),
        });
        const found = result.found === null ? null : searchOf({ ...spec, path: [...spec.path, ...pathOfActions(instance, result.found, end)] }).toString();
        return json(response, { ...result, found: result.found?.length ?? null, query: found });
      }
      case '/diagram': {
        const { spec, suite, instance } = instances.resolve(q);
        const walked = walk(instance, spec.path);
        const trace = { ...buildTrace(instance, suite, walked.actions, { command: 'manual' }), actions: [...walked.actions] as never };
        return send(response, 200, 'text/html; charset=utf-8', renderHtml(suite, trace, instance, walked.worlds), {
          // The viewer's page carries its own CSP (inline script and style, nothing loaded).
          'content-security-policy': "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; img-src data:; frame-ancestors 'self'",
        });
      }
      case '/api/save': {
        const { spec, suite, instance } = instances.resolve(q);
        const body = await readBody(request, MAX_BODY_BYTES);
        const name = nameOf(body);
        const walked = walk(instance, spec.path);
        const path = pathInside(options.out, suite.model.name, `${name}.json`);
        if (existsSync(path)) throw new UsageError(`${path} exists already: choose another name`);
        const suiteModule = options.load === undefined ? undefined : relative(dirname(resolve(path)), resolve(options.load));
        const trace = buildTrace(instance, suite, walked.actions, { command: 'manual' }, null, suiteModule);
        saveTrace(path, trace);
        return json(response, { file: path, steps: trace.actions.length, expect: trace.expect, violation: trace.violation && { property: trace.violation.property, step: trace.violation.step } });
      }
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}/?token=${token}#${searchOf(options.initial).toString()}`;
  return {
    server,
    url,
    token,
    catalogue,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

const ROUTES: Readonly<Record<string, 'GET' | 'POST'>> = {
  '/': 'GET',
  '/api/session': 'GET',
  '/api/state': 'GET',
  '/api/trace': 'GET',
  '/api/random': 'GET',
  '/api/find': 'GET',
  '/diagram': 'GET',
  '/api/save': 'POST',
};

/** The actions of the remembered path past the current one, as text (none when it does not extend the path or does not walk). */
function aheadOf(instance: Instance, path: readonly number[], text: string | null): string[] {
  if (!text) return [];
  try {
    const full = pathOf(text);
    if (full.length <= path.length || path.some((x, k) => full[k] !== x)) return [];
    return walk(instance, full).actions.slice(path.length).map(formatAction);
  } catch (error) {
    if (error instanceof UsageError || error instanceof ModelError) return [];
    throw error;
  }
}

function hasToken(request: IncomingMessage, url: URL, token: string): boolean {
  const given = url.searchParams.get('token') ?? request.headers['x-protokit-token'];
  if (typeof given !== 'string') return false;
  const a = Buffer.from(given);
  const b = Buffer.from(token);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Instances by everything but the path, a few kept: a node's memoised transitions survive between steps. */
class InstanceCache {
  private readonly cache = new Map<string, Instance>();
  constructor(private readonly suites: readonly Suite[]) {}

  resolve(query: URLSearchParams): { spec: Spec; suite: Suite; instance: Instance } {
    const spec = specOf(query, this.suites);
    const suite = suiteOf(this.suites, spec);
    const key = searchOf({ ...spec, path: [] }).toString();
    let instance = this.cache.get(key);
    if (instance === undefined) {
      instance = instanceOf(suite, spec);
      if (this.cache.size >= 8) this.cache.delete(this.cache.keys().next().value!);
      this.cache.set(key, instance);
    }
    return { spec, suite, instance };
  }
}

function modelInfo(suite: Suite) {
  const m = suite.model;
  return {
    name: m.name,
    title: m.title,
    params: Object.entries(m.params).map(([key, p]) => ({ key, default: p.default, description: p.description })),
    presets: Object.entries(m.presets ?? {}).map(([name, p]) => ({ name, description: p.description })),
    mutants: Object.entries(m.mutants).map(([name, x]) => ({ name, description: x.description })),
    properties: suite.properties.map((p) => ({ name: p.name, kind: p.kind, description: p.description })),
  };
}

function wholeNumber(q: URLSearchParams, name: string, min: number, max: number, fallback: number | null): number {
  const text = q.get(name);
  if (text === null || text === '') {
    if (fallback === null) throw new UsageError(`${name} is missing`);
    return fallback;
  }
  if (!/^\d{1,10}$/.test(text) || Number(text) < min || Number(text) > max) throw new UsageError(`${name} must be a whole number in ${min}..${max}, not '${text.slice(0, 20)}'`);
  return Number(text);
}

function nameOf(body: string): string {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    throw new UsageError('the request body is not JSON');
  }
  const name = (parsed as { name?: unknown } | null)?.name;
  const reason = unsafeNameReason(name);
  if (reason !== null) throw new UsageError(`the trace name: ${reason}`);
  return name as string;
}

class TooLarge extends Error {}

function readBody(request: IncomingMessage, limit: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length'] ?? 0);
    if (declared > limit) return reject(new TooLarge());
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > limit) {
        request.removeAllListeners('data');
        reject(new TooLarge());
        return;
      }
      chunks.push(chunk);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

function send(response: ServerResponse, status: number, type: string, body: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, {
    'content-type': type,
    'cache-control': 'no-store',
    'x-content-type-options': 'nosniff',
    // The address holds the token: never send it on.
    'referrer-policy': 'no-referrer',
    ...headers,
  });
  response.end(body);
}

function json(response: ServerResponse, value: unknown): void {
  send(response, 200, 'application/json; charset=utf-8', JSON.stringify(value));
}

/** An error as one JSON line for the page: 400 bad input, 413 too large, 422 the model failed, 500 ours. */
function fail(response: ServerResponse, error: unknown): void {
  if (response.headersSent) {
    response.destroy();
    return;
  }
  const [status, message] =
    error instanceof TooLarge
      ? [413, `the request body is larger than ${MAX_BODY_BYTES} bytes`]
      : error instanceof UsageError
        ? [400, error.message]
        : error instanceof ModelError
          ? [422, `the model failed: ${error.message}`]
          : [500, `internal error: ${error instanceof Error ? error.message : String(error)}`];
  if (status === 500) process.stderr.write(`protokit studio: ${message.split('\n')[0]}\n`);
  response.setHeader('connection', 'close');
  send(response, status, 'application/json; charset=utf-8', JSON.stringify({ error: message }));
}

function pageHtml(nonce: string, page: { js: string; css: string }): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>protokit studio</title>
<style nonce="${nonce}">
${page.css}</style>
</head>
<body>
<noscript>protokit studio needs JavaScript.</noscript>
<script nonce="${nonce}">
${page.js}</script>
</body>
</html>
`;
}
