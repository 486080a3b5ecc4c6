// `npm run build`: compiles the package to dist/ (tsconfig.build.json) and copies the files tsc
// does not emit: the HTML viewer's and the studio's page assets, read at run time next to html.js and server.js, and the .mjs boot
// files of the bin and the worker threads. dist/ is removed first, so nothing stale ships.
import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const dist = join(root, 'dist');
rmSync(dist, { recursive: true, force: true });
const tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
execFileSync(process.execPath, [tsc, '-p', join(root, 'tsconfig.build.json')], { stdio: 'inherit' });

const copies = [
  ...readdirSync(join(root, 'src/render/viewer')).map((f) => `src/render/viewer/${f}`),
  ...readdirSync(join(root, 'src/studio/page')).map((f) => `src/studio/page/${f}`),
  'src/cli/bin.mjs',
  'src/cli/load-probe.mjs',
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
