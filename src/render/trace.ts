/** Rendering a saved trace in one of the `protokit show` formats: replay it, then draw the worlds. */
import type { Suite } from '../properties/suite.js';
import type { Trace } from '../trace/format.js';
import { replay, violationEvidence } from '../trace/replay.js';
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
 * TraceMismatchError. `source` names the trace in the output (its path). What it shows of the
 * violation is what replay reproduced, not what the file claims.
 */
export function renderTrace(format: ShowFormat, suite: Suite, trace: Trace, source: string, options: { color?: boolean } = {}): string {
  const { instance, execution, violation, differences } = replay(suite, trace);
  const worlds = execution.worlds;
  // Every format shows the violation replay reproduced, never the recorded claim unverified:
  // the recorded property and step were compared by replay; where a claim differs (the message,
  // or a violation a passing trace records), the text format says so.
  // A lasso keeps its shape (kind, loopStart): replay has checked that the loop closes and fails the property.
  const lasso = violation && trace.violation?.loopStart !== undefined && trace.violation.property === violation.property ? { kind: trace.violation.kind, loopStart: trace.violation.loopStart } : {};
  // A linearizability violation's history (the evidence its message sums up): the recorded one
  // when replay reproduced that very violation, message and all (shown escaped, never trusted);
  // otherwise, as for a trace saved before traces kept it, the one replay reproduces.
  const recorded = trace.violation;
  const same = violation !== null && recorded !== null && recorded.property === violation.property && recorded.step === violation.step && recorded.message === violation.message;
  const history = same && recorded.history ? { history: recorded.history } : violation && !lasso.kind ? violationEvidence(instance, suite, worlds, violation) : {};
  const shown: Trace = { ...trace, violation: violation && { property: violation.property, message: violation.message, step: violation.step, ...lasso, ...history } };
  switch (format) {
    case 'text':
      return renderText(suite, shown, instance, worlds, { color: options.color, notes: differences });
    case 'mermaid':
      return renderMermaid(shown, instance, worlds);
    case 'itf':
      return renderItf(shown, instance, worlds, source);
    case 'html':
      return renderHtml(suite, shown, instance, worlds);
  }
}
