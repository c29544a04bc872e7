#!/usr/bin/env node
// Entry point: the CLI is TypeScript run through tsx's loader (no separate build step for the checker).
import { register } from 'tsx/esm/api';

register();
const { main, quietOnClosedPipe } = await import('../checker/cli/main.ts');
quietOnClosedPipe();
const code = await main(process.argv.slice(2));
process.exitCode = code;
