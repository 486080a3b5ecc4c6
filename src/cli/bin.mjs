#!/usr/bin/env node
// The `protokit` bin: runs the TypeScript command line through tsx.
import { register } from 'tsx/esm/api';
register();
const { main } = await import('./main.ts');
process.exitCode = await main(process.argv.slice(2));
