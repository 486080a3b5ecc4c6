/**
 * A worker thread loads one model's suite from a module (suite-module.ts): from a catalogue, only
 * that model's loader runs (issue 24: a worker that built every suite spent 1.2 s of CPU on it).
 */
import { describe, expect, test } from 'vitest';
import { suiteFromModule } from './suite-module.js';

/** A module from its source, with a fresh URL each time (so its top level runs again). */
let made = 0;
const moduleOf = (source: string) => `data:text/javascript,${encodeURIComponent(`// ${made++}\n${source}`)}`;

const CATALOGUE = `
globalThis.loaded = [];
const suite = (name) => ({ model: { name }, properties: [], budget: {} });
export const catalogue = ['a', 'b', 'c'].map((name) => ({ name, load: async () => (globalThis.loaded.push(name), suite(name)) }));
export const suites = [suite('a'), suite('b'), suite('c')];
`;

describe('suiteFromModule', () => {
  test('from a catalogue, runs the one loader of the model asked for', async () => {
    const suite = await suiteFromModule(moduleOf(CATALOGUE), 'b');
    expect(suite?.model.name).toBe('b');
    expect((globalThis as { loaded?: string[] }).loaded).toEqual(['b']);
  });

  test('a catalogue without the model, or whose loader gives another model, has no suite for it', async () => {
    expect(await suiteFromModule(moduleOf(CATALOGUE), 'd')).toBeUndefined();
    expect((globalThis as { loaded?: string[] }).loaded).toEqual([]);
    const lying = `export const catalogue = [{ name: 'a', load: async () => ({ model: { name: 'z' } }) }];`;
    expect(await suiteFromModule(moduleOf(lying), 'a')).toBeUndefined();
  });

  test('otherwise the suites export, or the default export (a suite or a list)', async () => {
    const list = `export const suites = [{ model: { name: 'a' } }, { model: { name: 'b' } }];`;
    expect((await suiteFromModule(moduleOf(list), 'b'))?.model.name).toBe('b');
    expect((await suiteFromModule(moduleOf(`export default { model: { name: 'x' } };`), 'x'))?.model.name).toBe('x');
    expect((await suiteFromModule(moduleOf(`export default [{ model: { name: 'x' } }, { model: { name: 'y' } }];`), 'y'))?.model.name).toBe('y');
    expect(await suiteFromModule(moduleOf(`export default { model: { name: 'x' } };`), 'y')).toBeUndefined();
    expect(await suiteFromModule(moduleOf(`export const nothing = 1;`), 'x')).toBeUndefined();
  });
});
