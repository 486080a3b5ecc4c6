/**
 * Text from other people, made safe to show. Traces and suites travel (bug reports, CI
 * artifacts), so every string in them — a violation's message, a property, model or mutant
 * name, a node id, a message type, a config value — may hold terminal control sequences: ESC
 * starts CSI (clear the screen, move the cursor) and OSC (set the window title, write the
 * clipboard with OSC 52), a newline forges a line of protokit's own output ("✓ no property
 * violated"), and bidi overrides (U+202E) make text read differently from what it is.
 *
 * Every such character is shown escaped instead, readably and in a form that is still valid
 * inside a JSON string: C0 controls as `\n`, `\t`, `\x1b`; DEL, C1 controls and the invisible
 * formatting characters (bidi embeddings, overrides and isolates, zero-width characters, line
 * and paragraph separators, the BOM) and lone surrogates as `\u202e`.
 *
 * - `safeLine(s)`: for one-line contexts (an error on stderr, a name, a table cell): line breaks
 *   are escaped too.
 * - `safeLines(s)`: for text that may keep its own line breaks (`\n`), e.g. whole output.
 * - `guardOutput(text, tty)`: the last line of defence on stdout and stderr (src/cli/terminal.ts):
 *   like `safeLines`, but on a terminal it keeps the control sequences protokit itself writes
 *   (colours, the progress bar's cursor moves).
 */

/** C0 controls, DEL, C1 controls, invisible formatting characters and lone surrogates. */
const UNSAFE =
  /[\u0000-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** The same, sparing the line feed. */
const UNSAFE_BUT_NEWLINE =
  /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u00ad\u061c\u180e\u200b-\u200f\u2028-\u202e\u2060-\u2069\ufeff\ufff9-\ufffb]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

const NAMED: Readonly<Record<string, string>> = { '\n': '\\n', '\r': '\\r', '\t': '\\t' };

/** How one unsafe character is shown. */
export function escapeChar(ch: string): string {
  const named = NAMED[ch];
  if (named !== undefined) return named;
  const code = ch.charCodeAt(0);
  return code < 0x20 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u${code.toString(16).padStart(4, '0')}`;
}

/** `s` with every control and invisible formatting character escaped, line breaks included. */
export function safeLine(s: string): string {
  return String(s).replace(UNSAFE, escapeChar);
}

/** `s` with every control and invisible formatting character escaped, except `\n`. */
export function safeLines(s: string): string {
  return String(s).replace(UNSAFE_BUT_NEWLINE, escapeChar);
}

/**
 * The control sequences protokit writes to a terminal itself, exactly: SGR colours (picocolors),
 * and its progress display's column move, line erasing, clearing below the cursor, cursor hiding,
 * line wrapping, cursor save and restore (cli-progress through node:readline: `\x1b[1G`, `\x1b[2K`,
 * `\x1b[0K`, `\x1b[0J`; `\r\x1b[K` of explore's progress line). Nothing that sets a title, writes
 * the clipboard, clears the screen or moves the cursor up over lines already written.
 */
const OWN_SEQUENCE = /^(?:\x1b\[[0-9;]*m|\x1b\[1G|\x1b\[[02]?K|\x1b\[0J|\x1b\[\?(?:25|7)[hl]|\x1b[78]|\r)/;

/**
 * The text protokit writes to stdout or stderr, with every unsafe character escaped. On a
 * terminal (`tty`), protokit's own sequences (OWN_SEQUENCE) pass; elsewhere (pipes, files, CI
 * logs), nothing but `\n` does, so no ESC byte ever reaches a log. JSON stays valid: JSON.stringify
 * escapes C0 itself, and the C1, DEL and bidi characters it leaves are escaped as `\uXXXX`.
 */
export function guardOutput(text: string, tty: boolean): string {
  if (!tty) return safeLines(text);
  let out = '';
  let last = 0;
  UNSAFE_BUT_NEWLINE.lastIndex = 0;
  for (let m = UNSAFE_BUT_NEWLINE.exec(text); m !== null; m = UNSAFE_BUT_NEWLINE.exec(text)) {
    if (m.index < last) continue;
    const own = OWN_SEQUENCE.exec(text.slice(m.index, m.index + 16));
    out += text.slice(last, m.index);
    if (own) {
      out += own[0];
      last = m.index + own[0].length;
      UNSAFE_BUT_NEWLINE.lastIndex = last;
    } else {
      out += escapeChar(m[0]);
      last = m.index + m[0].length;
    }
  }
  return out + text.slice(last);
}

/** Whether `s` holds a character `safeLine` would escape. */
export function hasUnsafe(s: string): boolean {
  UNSAFE.lastIndex = 0;
  const found = UNSAFE.test(s);
  UNSAFE.lastIndex = 0;
  return found;
}
