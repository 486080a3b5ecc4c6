/**
 * The shared file system (GFS in the paper): a node of role `fs` that receives Write and Rename
 * messages and answers them. Its files are persisted, so an fs crash is an outage, never a loss.
 * Rename is atomic and the first commit wins: renaming onto an existing output file discards the
 * temporary file (section 3.3, "Semantics in the Presence of Failures"). It observes each commit
 * (OutputCommitted: partition, attempt and the map attempts its content was computed from).
 */
import { enqueueActions, setup } from 'xstate';
import { observe, send, type Effect } from '../../src/index.js';
import { isOutputFile, type FileContent } from './data.js';
import type { Received, Rename, Write } from './messages.js';

export interface FsContext {
  /** Every file on the shared file system (persisted: it is replicated, it never loses data). */
  readonly files: Readonly<Record<string, FileContent>>;
}

type FsEvent = Received<Write> | Received<Rename> | { type: 'RECOVER' };

function committed(content: FileContent) {
  return { type: 'OutputCommitted', partition: content.partition, attempt: content.attempt, sources: content.sources };
}

export const fsSetup = setup({
  types: { context: {} as FsContext, events: {} as FsEvent, emitted: {} as Effect },
  guards: {
    /** The rename commits: the temporary file exists and no output file has been committed yet. */
    renameCommits: ({ context, event }) => {
      const e = event as Received<Rename>;
      return context.files[e.temp] !== undefined && context.files[e.output] === undefined;
    },
    /** Another attempt committed first: this rename is discarded (and a repeated one answered again). */
    outputExists: ({ context, event }) => context.files[(event as Received<Rename>).output] !== undefined,
  },
  actions: {
    write: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<Write>;
      enqueue.assign({ files: { ...context.files, [e.file]: e.content } });
      enqueue.emit(send(e.from, { type: 'Written', file: e.file }));
      // A write straight to an output file makes it visible at once: that is a commit.
      if (isOutputFile(e.file)) enqueue.emit(observe(committed(e.content)));
    }),
    commitRename: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<Rename>;
      const { [e.temp]: content, ...rest } = context.files;
      enqueue.assign({ files: { ...rest, [e.output]: content! } });
      enqueue.emit(send(e.from, { type: 'Renamed', temp: e.temp, committed: true }));
      enqueue.emit(observe(committed(content!)));
    }),
    discardRename: enqueueActions(({ context, event, enqueue }) => {
      const e = event as Received<Rename>;
      const { [e.temp]: _discarded, ...rest } = context.files;
      enqueue.assign({ files: rest });
      enqueue.emit(send(e.from, { type: 'Renamed', temp: e.temp, committed: false }));
    }),
  },
});

export const fileSystem = fsSetup.createMachine({
  id: 'fs',
  initial: 'serving',
  context: () => ({ files: {} }),
  states: {
    serving: {
      on: {
        Write: { actions: 'write' },
        Rename: [
          { guard: 'renameCommits', actions: 'commitRename' },
          { guard: 'outputExists', actions: 'discardRename' },
        ],
      },
    },
  },
});
