// A worker thread of `check --workers`. Workers do not inherit the main thread's
// TypeScript loader (tsx registered through its API, or vitest's). Compiled (dist/), the boot
// runs worker.js on plain node and registers tsx only for a .ts suite given to --load; from the
// sources it registers tsx and runs worker.ts.
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { workerData } from 'node:worker_threads';

const compiled = new URL('./worker.js', import.meta.url);
const isCompiled = existsSync(fileURLToPath(compiled));
if (!isCompiled || /\.[cm]?tsx?$/.test(String(workerData?.suiteModule ?? ''))) {
  const { registerTypeScript } = await import('../../engine/register-ts.mjs');
  registerTypeScript();
}
await import(isCompiled ? compiled.href : './worker.ts');
