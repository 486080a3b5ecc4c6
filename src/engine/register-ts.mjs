// Registers the TypeScript loader for users' .ts files (a suite given to --load, a model it
// imports): tsx's ESM hooks, plus one resolve hook that makes every .ts file outside node_modules
// an ES module. Without it, a .ts file in a project whose package.json lacks "type": "module" is
// CommonJS to Node, and its `import ... from 'protokit'` ends in ERR_REQUIRE_CYCLE_MODULE.
// Idempotent: the bin, importUserModule and worker boots may each call it.
import { register as registerHooks } from 'node:module';
import { register as registerTsx } from 'tsx/esm/api';

const FLAG = Symbol.for('protokit.ts-loader');
const ES_MODULE_TS = `export async function resolve(specifier, context, next) {
  const resolved = await next(specifier, context);
  if (/^file:[^?#]*\\.[cm]?tsx?([?#]|$)/.test(resolved.url) && !/\\.cts([?#]|$)/.test(resolved.url) && !resolved.url.includes('/node_modules/')) {
    return { ...resolved, format: 'module' };
  }
  return resolved;
}`;

export function registerTypeScript() {
  if (globalThis[FLAG]) return;
  globalThis[FLAG] = true;
  registerTsx();
  // Registered after tsx, so it runs first and its format reaches tsx's load hook.
  registerHooks(`data:text/javascript,${encodeURIComponent(ES_MODULE_TS)}`);
}
