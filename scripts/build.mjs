// `npm run build`: builds the package into dist/. dist/ is removed first, so nothing stale ships.
//
// - tsc (tsconfig.build.json) writes the declarations (.d.ts): the types of every export.
// - esbuild writes the JavaScript: the package's entry points (the exports ".", "./vitest",
//   "./runtime", "./models/*", the CLI, the shipped suites and the worker threads), each at the path
//   tsc would give it, with the code they share split into chunks (dist/chunks/). A command loads a
//   handful of files instead of some two hundred modules (ES-module loading dominated start-up), and
//   what a command does not need stays in chunks it imports lazily. Because the CLI and the exports
//   share the chunks, a user's suite importing 'protokit' gets the very classes the CLI runs.
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

const result = await build({
  entryPoints,
  outdir: dist,
  outbase: root,
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  // Packages whose one copy the user's code shares (xstate machines, fast-check arbitraries, vitest)
  // or that load lazily stay packages; the small CommonJS helpers of the command line (commander,
  // cli-progress, picocolors, safe-stable-stringify) are bundled: importing CommonJS from an ES
  // module costs a parse of its source for its export names, per file, at every start.
  external: ['xstate', 'xstate/*', 'fast-check', 'zod', 'vitest', 'vitest/*', 'playwright-core', 'tsx', 'tsx/*', '@nats-io/*', 'protokit', 'protokit/*'],
  // Bundled CommonJS calls require() for Node's own modules, which an ES module lacks.
  banner: { js: "import { createRequire as __protokitCreateRequire } from 'node:module';\nconst require = __protokitCreateRequire(import.meta.url);" },
  sourcemap: 'linked',
  sourcesContent: true,
  chunkNames: 'chunks/[name]-[hash]',
  plugins: [ownUrl],
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
