#!/usr/bin/env node
// The `protokit` bin. Installed from the package, it runs the compiled command line (dist/) on
// plain node; a TypeScript loader is registered only when a .ts file is given to --load. In a
// clone of the repository it runs the TypeScript sources through tsx, so the command always
// matches the checked-out code (dist/ there may be stale or absent).
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const beside = (path) => new URL(path, import.meta.url);
const sources = [beside('./main.ts'), beside('../../../src/cli/main.ts')].find((url) => existsSync(fileURLToPath(url)));
let main;
if (sources) {
  const { registerTypeScript } = await import('../engine/register-ts.mjs');
  registerTypeScript();
  ({ main } = await import(sources.href));
} else {
  ({ main } = await import('./main.js'));
}
process.exitCode = await main(process.argv.slice(2));
