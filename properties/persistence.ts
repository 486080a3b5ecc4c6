/**
 * A property the papers state in their lists of persistent state (Raft's Figure 2, "Paxos Made
 * Simple" section 2.3 on acceptors and proposers): what a node writes to stable storage before
 * it answers is still there after it crashes. It reads the crash step itself: the crashed node's
 * view is what its disk holds, so a required field that the disk lost (or holds with another
 * value) is reported with the node, the field and both values, at the crash, not when some later
 * vote or ballot happens to turn the loss into a second leader or a second value.
 *
 * A field the disk does not hold comes back with its first-boot value when the node restarts, so
 * losing a field that still held that value changes nothing and is not reported.
 */
import { alwaysStep, type StepInvariant } from '../src/index.js';

/** Per role, each field that must survive a crash and the value a node starts with on first boot. */
export type PersistentFields = Readonly<Record<string, Readonly<Record<string, unknown>>>>;

// Contexts hold plain data (numbers, strings, null, arrays and records of them): equal text, equal value.
const text = (v: unknown): string => JSON.stringify(v) ?? 'nothing';

/** The invariant: across a crash, each field in `fields[role]` of the crashed node keeps its value. */
export function persistedAcrossCrash(name: string, description: string, fields: PersistentFields): StepInvariant {
  return alwaysStep(name, description, (before, after, action) => {
    if (action.type !== 'crash') return;
    const was = before.node(action.node).context;
    const disk = after.node(action.node).context;
    for (const [field, firstBoot] of Object.entries(fields[before.node(action.node).role] ?? {})) {
      const restored = field in disk ? disk[field] : firstBoot;
      if (text(restored) !== text(was[field])) {
        return `${action.node} crashed with ${field} ${text(was[field])}, but its disk ${field in disk ? `keeps ${text(restored)}` : `does not keep it: it comes back with ${text(restored)}`}`;
      }
    }
  });
}
