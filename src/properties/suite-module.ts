/**
 * One model's suite from a module, as a worker thread finds it (explore --workers, check
 * --workers): the thread is given a module's URL and a model name. A module that exports a
 * `catalogue` (properties/catalogue.ts: a loader per model) has that model's suite loaded alone;
 * a worker that imported the registry instead built every model's suite, machines and mutants
 * (1.2 s of CPU through tsx against 0.5 s for Paxos alone: issue 24). Any other module gives its
 * `suites` (a list) or its default export (a suite or a list of them).
 */
import type { Suite } from './suite.js';

interface CatalogueEntry {
  readonly name: string;
  readonly load: () => Promise<Suite>;
}

/** The suite of `model` in the module at `url`, or undefined when it has none. */
export async function suiteFromModule(url: string, model: string): Promise<Suite | undefined> {
  const module = (await import(url)) as { catalogue?: unknown; suites?: unknown; default?: unknown };
  if (Array.isArray(module.catalogue)) {
    const entry = (module.catalogue as CatalogueEntry[]).find((e) => e?.name === model);
    const suite = entry === undefined ? undefined : await entry.load();
    return suite?.model?.name === model ? suite : undefined;
  }
  const found = module.suites ?? module.default;
  return ((Array.isArray(found) ? found : [found]) as Suite[]).find((s) => s?.model?.name === model);
}
