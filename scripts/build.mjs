// `npm run build`: builds the package into dist/. dist/ is removed first, so nothing stale ships.
//
// - tsc (tsconfig.build.json) writes the declarations (.d.ts): the types of every export.
// - esbuild writes the JavaScript: the package's entry points (the exports ".", "./vitest",
//   "./runtime", "./models/*", the CLI, the shipped suites and the worker threads), each at the path
//   tsc would give it, with the code they share split into chunks (dist/chunks/). A command loads a
//   handful of files instead of some two hundred modules (ES-module loading dominated start-up), and
//   what a command does not need stays in chunks it imports lazily. Because the CLI and the exports
//   share the chunks, a user's suite importing 'protokit' gets the very classes the CLI runs.
// - Start-up loads what the command needs and little else (issue 24; bench 6-startup): a model's
//   import of src/index.ts is built as the few names it uses, xstate is required rather than
//   imported, fast-check is bundled and tree-shaken (see the plugins and `external` below).
// - Code that finds files next to itself (`new URL('./viewer/x', import.meta.url)`) would look next
//   to the chunk it landed in: each source's `import.meta.url` is rewritten to the URL its own file
//   would have in dist/, relative to wherever esbuild put it.
// - Files tsc and esbuild do not emit are copied: the viewer's and the studio's page assets, the .mjs
//   boot files of the bin and the worker threads, the init template.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });

const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json'), '--emitDeclarationOnly'], { stdio: 'inherit' });

/** Every file loaded by path at run time, or named by the package's exports. */
const entryPoints = [
  'src/index.ts',
  'src/testing/vitest.ts',
  'src/runtime/index.ts',
  'src/cli/main.ts',
  'properties/registry.ts',
  'properties/catalogue.ts',
  'src/explore/bfs/worker.ts',
  'src/explore/shard/worker.ts',
  ...readdirSync(join(root, 'models'), { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => `models/${d.name}/index.ts`),
].map((f) => join(root, f));

/** Marks each source's own dist URL; replaced once esbuild has said which file it landed in. */
const MARK = '__protokit_dist_url__:';
const ownUrl = {
  name: 'own-import-meta-url',
  setup(b) {
    b.onLoad({ filter: /\.ts$/ }, (args) => {
      const source = readFileSync(args.path, 'utf8');
      if (!source.includes('import.meta.url')) return undefined;
      const asBuilt = relative(root, args.path).replace(/\\/g, '/').replace(/\.ts$/, '.js');
      return { contents: source.replaceAll('import.meta.url', `new URL(${JSON.stringify(MARK + asBuilt)}, import.meta.url).href`), loader: 'ts' };
    });
  },
};

/**
 * The models and the built-in suites import the public entry, src/index.ts, as a user's model does.
 * Bundled as it is, that import made every module the entry re-exports (log validation, test
 * generation, the breadth-first search, the linearizability pages...) a dependency of every model,
 * so `check MODEL` loaded the whole kit. Each such import is built instead as one that re-exports
 * only the names its file imports, from the modules index.ts takes them from: the same modules (the
 * same classes the CLI and 'protokit' share), fewer of them. A name index.ts does not re-export
 * from a module fails the build.
 */
const INDEX = join(root, 'src/index.ts');
const indexOrigins = new Map();
for (const m of readFileSync(INDEX, 'utf8').matchAll(/^export\s*\{([^}]*)\}\s*from\s*'([^']+)'/gm)) {
  for (const part of m[1].split(',').map((p) => p.trim())) {
    if (part === '' || part.startsWith('type ')) continue;
    const [name, alias] = part.split(/\s+as\s+/);
    indexOrigins.set(alias ?? name, { name, from: join(dirname(INDEX), m[2].replace(/\.js$/, '.ts')) });
  }
}
const namesFromIndex = {
  name: 'names-from-index',
  setup(b) {
    b.onResolve({ filter: /\/src\/index\.js$/ }, async (args) => {
      if (args.pluginData === 'resolving' || !/^(models|properties)\//.test(relative(root, args.importer).replace(/\\/g, '/'))) return undefined;
      const target = await b.resolve(args.path, { kind: args.kind, resolveDir: args.resolveDir, importer: args.importer, pluginData: 'resolving' });
      return target.path === INDEX ? { path: args.importer, namespace: 'names-from-index' } : target;
    });
    b.onLoad({ filter: /.*/, namespace: 'names-from-index' }, (args) => {
      const names = new Set();
      for (const m of readFileSync(args.path, 'utf8').matchAll(/^import\s*\{([^}]*)\}\s*from\s*'[./]*\/src\/index\.js'/gm)) {
        for (const part of m[1].split(',').map((p) => p.trim())) if (part !== '' && !part.startsWith('type ')) names.add(part.split(/\s+as\s+/)[0]);
      }
      const lines = [...names].map((n) => {
        const origin = indexOrigins.get(n);
        if (!origin) throw new Error(`${relative(root, args.path)} imports ${n} from src/index.ts, which does not re-export it from a module`);
        return `export { ${origin.name === n ? n : `${origin.name} as ${n}`} } from ${JSON.stringify(origin.from)};`;
      });
      return { contents: lines.join('\n'), loader: 'ts', resolveDir: dirname(INDEX) };
    });
  },
};

/**
 * xstate is loaded with require(), not import: its package gives node a CommonJS build (an ES
 * module importing it made node lex its 170 KB for export names at every start, a fifth of a
 * `check`'s start-up). require() gets the very module a user's `import 'xstate'` gets (the package's
 * ES wrapper re-exports that CommonJS file), so machines and the kit still share one xstate.
 */
const xstateByRequire = {
  name: 'xstate-by-require',
  setup(b) {
    b.onResolve({ filter: /^xstate$/ }, (args) => (args.namespace === 'xstate-by-require' ? { path: 'xstate', external: true } : { path: 'xstate', namespace: 'xstate-by-require' }));
    b.onLoad({ filter: /.*/, namespace: 'xstate-by-require' }, () => ({ contents: "module.exports = require('xstate');", loader: 'js' }));
  },
};

const result = await build({
  entryPoints,
  outdir: dist,
  outbase: root,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Packages whose one copy the user's code shares (xstate machines, vitest) or that load lazily stay
  // packages. fast-check is bundled: the kit's random runs use a few of its functions and none of
  // its values reach a user, and its own file (390 KB) cost more to load than the rest of `check`.
  // The small CommonJS helpers of the command line (commander, picocolors, safe-stable-stringify)
  // are bundled: importing CommonJS from an ES module costs a parse of its source for its export
  // names, per file, at every start. cli-progress stays a package: progress.ts requires it only to
  // draw a bar on a terminal.
  external: ['xstate', 'xstate/*', 'cli-progress', 'zod', 'vitest', 'vitest/*', 'playwright-core', 'tsx', 'tsx/*', '@nats-io/*', 'protokit', 'protokit/*'],
  // Bundled CommonJS calls require() for Node's own modules, which an ES module lacks.
  banner: { js: "import { createRequire as __protokitCreateRequire } from 'node:module';\nconst require = __protokitCreateRequire(import.meta.url);" },
  sourcemap: 'linked',
  sourcesContent: true,
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [namesFromIndex, xstateByRequire, ownUrl],
  metafile: true,
  logLevel: 'warning',
});
for (const output of Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'))) {
  const file = join(root, output);
  const code = readFileSync(file, 'utf8');
  if (!code.includes(MARK)) continue;
  const fixed = code.replace(new RegExp(`"${MARK}([^"]+)"`, 'g'), (_, asBuilt) => {
    const path = relative(dirname(file), join(dist, asBuilt)).replace(/\\/g, '/');
    return JSON.stringify(path.startsWith('.') ? path : `./${path}`);
  });
  writeFileSync(file, fixed);
}
// fast-check's default export is an object holding all of fast-check: a default import of it kept
// the whole library (357 KB against 121 KB) in the chunk every `check` loads. Import it as a namespace.
for (const output of Object.keys(result.metafile.outputs).filter((f) => f.endsWith('.js'))) {
  if (readFileSync(join(root, output), 'utf8').includes('fast_check_default_exports')) {
    throw new Error(`${output} holds all of fast-check: a source imports its default export (write \`import * as fc from 'fast-check'\`)`);
  }
}

const copies = [
  ...readdirSync(join(root, 'src/render/viewer')).map((f) => `src/render/viewer/${f}`),
  ...readdirSync(join(root, 'src/studio/page')).map((f) => `src/studio/page/${f}`),
  'src/cli/bin.mjs',
  'src/cli/load-probe.mjs',
  'src/cli/supervise-worker.mjs',
  'src/engine/register-ts.mjs',
  'src/explore/bfs/worker-boot.mjs',
  'src/explore/shard/worker-boot.mjs',
];
for (const file of copies) {
  mkdirSync(dirname(join(dist, file)), { recursive: true });
  cpSync(join(root, file), join(dist, file));
}
// The files `protokit init` writes into a new project.
cpSync(join(root, 'src/cli/init-template'), join(dist, 'src/cli/init-template'), { recursive: true });
