/** `protokit list`: models, their parameters and presets, properties and mutants. */
import pc from 'picocolors';
import { describeFaults } from '../engine/faults.js';
import { safeLine } from '../render/safe-text.js';
import { useColor } from './common.js';
import { loadSuites } from './registry.js';

export async function listCommand(options: { json?: boolean; load?: string }): Promise<number> {
  const suites = await loadSuites(options.load);
  if (options.json) {
    const models = suites.map((s) => ({
      model: s.model.name,
      title: s.model.title,
      config: Object.fromEntries(Object.entries(s.model.params).map(([k, p]) => [k, { ...p }])),
      presets: Object.fromEntries(Object.entries(s.model.presets ?? {}).map(([k, p]) => [k, { description: p.description, params: p.params ?? {}, faults: p.faults ?? {} }])),
      roles: Object.fromEntries(Object.entries(s.model.roles).map(([k, r]) => [k, { persist: r.persist }])),
      faults: s.model.faults,
      budget: s.budget,
      properties: s.properties.map((p) => ({ name: p.name, kind: p.kind, description: p.description })),
      mutants: Object.entries(s.model.mutants).map(([name, m]) => ({ name, description: m.description, breaks: m.breaks })),
    }));
    process.stdout.write(JSON.stringify({ models }) + '\n');
    return 0;
  }
  const c = useColor() ? pc : pc.createColors(false);
  // A suite loaded with --load is someone else's text: every line goes through safeLine.
  const out: string[] = [];
  for (const s of suites) {
    const m = s.model;
    out.push(c.bold(safeLine(m.name)) + safeLine(`  ${m.title}`));
    out.push(safeLine(`  config:     ${Object.entries(m.params).map(([k, p]) => `${k}=${p.default} (${p.description})`).join('; ')}`));
    for (const [name, preset] of Object.entries(m.presets ?? {})) out.push(safeLine(`  preset:     ${name}: ${preset.description} (--config preset=${name})`));
    out.push(safeLine(`  roles:      ${Object.entries(m.roles).map(([k, r]) => `${k} (persists ${r.persist.join(', ') || 'nothing'})`).join('; ')}`));
    out.push(safeLine(`  faults:     ${describeFaults(m.faults)}`));
    out.push(safeLine(`  budget:     ${s.budget.runs} runs of up to ${s.budget.depth} steps`));
    out.push('  properties:');
    for (const p of s.properties) out.push(safeLine(`    ${p.kind.padEnd(11)} ${p.name.padEnd(28)} ${p.description}`));
    out.push('  mutants:');
    for (const [name, mutant] of Object.entries(m.mutants)) out.push(safeLine(`    ${name.padEnd(28)} breaks ${mutant.breaks}: ${mutant.description}`));
    out.push('');
  }
  process.stdout.write(out.join('\n'));
  return 0;
}
