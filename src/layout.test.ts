/**
 * The architecture, checked: imports point one way (properties → models → src), models and
 * properties use only the public entry, each folder of src/ imports only the folders its README
 * allows, and no module imports itself back through a circle (type-only imports included: a
 * circle of types is still a circle for a reader). Test files may import anything.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, test } from 'vitest';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');

/** What each folder of src/ may import besides itself (its README says the same in words). */
const MAY_IMPORT: Readonly<Record<string, readonly string[]>> = {
  engine: [],
  properties: ['engine'],
  explore: ['engine', 'properties'],
  'explore/random': ['engine', 'properties', 'explore'],
  'explore/bfs': ['engine', 'properties', 'explore'],
  'explore/shard': ['engine', 'properties', 'explore', 'explore/random', 'explore/default'],
  'explore/default': ['engine', 'properties', 'explore', 'explore/random', 'explore/bfs'],
  trace: ['engine', 'properties', 'explore', 'explore/random'],
  render: ['engine', 'properties', 'trace', 'linearizability'],
  linearizability: ['engine', 'properties'],
  runtime: ['engine'],
  mutate: ['engine', 'properties', 'explore', 'explore/random', 'explore/bfs'],
  validate: ['engine', 'properties', 'explore', 'trace'],
  testgen: ['engine', 'properties', 'explore', 'trace'],
  testing: ['engine', 'properties', 'explore', 'explore/random', 'explore/bfs', 'explore/shard', 'trace', 'render'],
  studio: ['engine', 'properties', 'explore', 'trace', 'render'],
  cluster: ['engine', 'properties', 'explore/bfs', 'explore/random', 'explore/shard'],
};
/** Folders that may import every other part of src/ (the command line, the public entry). */
const TOP = new Set(['cli', '.']);

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'node_modules' ? [] : sources(path);
    return /\.(ts|mjs)$/.test(name) && !/\.test\.ts$/.test(name) ? [path] : [];
  });
}

/** The repository-relative files a module imports (relative specifiers only), `.js` mapped to `.ts`. */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  const specifiers = [...text.matchAll(/(?:from\s+|import\(\s*)'(\.{1,2}\/[^']+)'/g)].map((m) => m[1]!);
  return specifiers.map((s) => {
    const target = resolve(dirname(file), s);
    return relative(root, target.endsWith('.js') && !existsSync(target) ? target.slice(0, -3) + '.ts' : target);
  });
}

/** `src/explore/bfs/expand.ts` → `explore/bfs`; `src/index.ts` → `.`. */
function folderOf(path: string): string {
  const inSrc = relative('src', dirname(path));
  return inSrc === '' ? '.' : inSrc;
}

const srcFiles = sources(join(root, 'src')).map((f) => relative(root, f));

describe('layout', () => {
  test('every folder of src/ has a README saying what it holds and may import, and a rule here', () => {
    const folders = new Set(srcFiles.map(folderOf).filter((f) => f !== '.' && !f.startsWith('render/viewer')));
    for (const folder of folders) {
      expect(existsSync(join(root, 'src', folder, 'README.md')), `src/${folder}/README.md`).toBe(true);
      expect(folder in MAY_IMPORT || TOP.has(folder), `a rule for src/${folder} in src/layout.test.ts`).toBe(true);
    }
  });

  test('each folder of src/ imports only what its rule allows, and never models/ or properties/', () => {
    const wrong: string[] = [];
    for (const file of srcFiles) {
      const from = folderOf(file);
      for (const target of importsOf(file)) {
        if (!target.startsWith('src/')) {
          wrong.push(`${file} imports ${target}`);
          continue;
        }
        const to = folderOf(target);
        if (to === from || TOP.has(from)) continue;
        if (!(MAY_IMPORT[from] ?? []).includes(to)) wrong.push(`${file} (${from}) imports ${target} (${to})`);
      }
    }
    expect(wrong).toEqual([]);
  });

  // src/testing/vitest.ts is the package's second entry (`protokit/vitest`: helpers that need vitest).
  test('models and properties import protokit only through src/index.ts (and protokit/vitest)', () => {
    const wrong: string[] = [];
    for (const top of ['models', 'properties']) {
      for (const file of sources(join(root, top)).map((f) => relative(root, f))) {
        for (const target of importsOf(file)) {
          if (target.startsWith('src/') && target !== 'src/index.ts' && target !== 'src/testing/vitest.ts') wrong.push(`${file} imports ${target}`);
          if (top === 'models' && target.startsWith('properties/')) wrong.push(`${file} imports ${target}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  test('no import circle among the modules of src/', () => {
    const graph = new Map(srcFiles.map((f) => [f, importsOf(f).filter((t) => t.startsWith('src/'))]));
    // Iterative depth-first search with colours: a grey target is a back edge, i.e. a circle.
    const colour = new Map<string, 'grey' | 'black'>();
    const circles: string[] = [];
    for (const start of graph.keys()) {
      if (colour.has(start)) continue;
      const stack: { file: string; next: number }[] = [{ file: start, next: 0 }];
      colour.set(start, 'grey');
      while (stack.length > 0) {
        const top = stack[stack.length - 1]!;
        const targets = graph.get(top.file) ?? [];
        if (top.next === targets.length) {
          colour.set(top.file, 'black');
          stack.pop();
          continue;
        }
        const target = targets[top.next++]!;
        if (colour.get(target) === 'grey') {
          const at = stack.findIndex((s) => s.file === target);
          circles.push([...stack.slice(at).map((s) => s.file), target].join(' → '));
        } else if (!colour.has(target) && graph.has(target)) {
          colour.set(target, 'grey');
          stack.push({ file: target, next: 0 });
        }
      }
    }
    expect(circles).toEqual([]);
  });
});
