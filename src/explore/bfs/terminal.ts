/** The terminal-world test that deadlock detection uses in a search (null: detection off). */
import type { WorldView } from '../../engine/view.js';
import type { Suite } from '../../properties/suite.js';
import { isTerminal } from '../lasso.js';

export function terminalOf(suite: Suite, deadlock: boolean): ((view: WorldView) => boolean) | null {
  return deadlock ? (view) => isTerminal(suite, view) : null;
}
