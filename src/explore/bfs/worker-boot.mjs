// A worker thread of the parallel search. Workers do not inherit the main thread's TypeScript
// loader (tsx registered through its API, or vitest's), so each registers tsx before loading.
import { register } from 'tsx/esm/api';
register();
await import('./worker.ts');
