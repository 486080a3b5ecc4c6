/** Rendering a saved trace in one of the `protokit show` formats: replay it, then draw the worlds. */
import type { Suite } from '../properties/suite.js';
import type { Trace } from '../trace/format.js';
import { replay } from '../trace/replay.js';
import { renderHtml } from './html.js';
import { renderItf } from './itf.js';
import { renderMermaid } from './mermaid.js';
import { renderText } from './text.js';

import type { ShowFormat } from './formats.js';

export { SHOW_FORMATS, type ShowFormat } from './formats.js';

/**
 * Since 0.1.0. A trace rendered for people: `text` (step by step, diffs per node), `mermaid`
 * (a sequence diagram), `itf` (Apalache's Informal Trace Format) or `html` (a self-contained
 * viewer). Replays the trace first, so a trace that does not fit the model throws
 * TraceMismatchError. `source` names the trace in the output (its path).
 */
export function renderTrace(format: ShowFormat, suite: Suite, trace: Trace, source: string, options: { color?: boolean } = {}): string {
  const { instance, execution } = replay(suite, trace);
  const worlds = execution.worlds;
  switch (format) {
    case 'text':
      return renderText(suite, trace, instance, worlds, { color: options.color });
    case 'mermaid':
      return renderMermaid(trace, instance, worlds);
    case 'itf':
      return renderItf(trace, instance, worlds, source);
    case 'html':
      return renderHtml(suite, trace, instance, worlds);
  }
}
