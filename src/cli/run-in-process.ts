/**
 * Test helpers for the command line: run `main()` in-process capturing stdout and stderr, and
 * assert that an error is one line with no stack trace.
 */
import { afterEach, expect, vi } from 'vitest';
import { main } from './main.js';

afterEach(() => vi.restoreAllMocks());

export async function run(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => ((stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => ((stderr += String(chunk)), true));
  try {
    return { code: await main(args), stdout, stderr };
  } finally {
    vi.restoreAllMocks();
  }
}

/** The single line of `stderr`, after checking there is exactly one and no stack trace. */
export function oneLine(stderr: string): string {
  const lines = stderr.trimEnd().split('\n');
  expect(lines).toHaveLength(1);
  expect(stderr).not.toMatch(/\n\s+at /);
  return lines[0]!;
}
