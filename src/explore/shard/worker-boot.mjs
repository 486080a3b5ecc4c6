// A worker thread of `check --workers`: registers tsx (workers do not inherit the loader), then runs.
import { register } from 'tsx/esm/api';
register();
await import('./worker.ts');
