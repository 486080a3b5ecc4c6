/**
 * Files only this run can have made. protokit writes beside other people's files (an `--out`
 * folder, a `--checkpoint` folder), so every file it creates and may later delete has a name with
 * a random part, created with O_EXCL (it fails rather than open a file that exists) and never
 * through a symbolic link. What protokit deletes is only what it made this way: a temporary of
 * its own after a failed write, a frontier it spilled, a checkpoint generation it replaced.
 */
import { randomBytes } from 'node:crypto';
import { constants, openSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** The suffix of protokit's temporary files: a name that says whose it is, if a SIGKILL leaves one. */
export const TEMPORARY_SUFFIX = '.protokit-tmp';

/** A random part for a file name (12 hex digits): another run, or another program, cannot have made it. */
export function uniquePart(): string {
  return randomBytes(6).toString('hex');
}

/**
 * The temporary name a write of `path` goes through: `.NAME.<random>.protokit-tmp`, beside it
 * (a rename is atomic only within one file system). Long names are cut so it stays a valid name.
 */
export function temporaryNameFor(path: string): string {
  const name = basename(path);
  return join(dirname(path), `.${name.length > 180 ? name.slice(0, 180) : name}.${uniquePart()}${TEMPORARY_SUFFIX}`);
}

/** Creates a new file for writing at a name that must not exist yet, never through a symbolic link; returns its descriptor. */
export function createExclusive(path: string): number {
  return openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o644);
}
