// Writing a compiled scenario into a kernel instance and resetting its engine: the step every search and every
// replay starts with.

import type { Compiled } from '../compile/config.ts';
import { UsageError } from '../errors.ts';
import type { FdraceExports } from './exports.ts';

/** Write the compiled configuration into the instance and reset the engine (full-storage BFS, no reduction:
 *  what replay expects, with the initial state as record 0). */
export function loadConfig(x: FdraceExports, c: Compiled, maxMemoryBytes = 0): void {
  new Uint8Array(x.memory.buffer, x.eConfigAddr(), c.bytes.length).set(c.bytes);
  const rc = x.eInit(maxMemoryBytes);
  if (rc === -2) throw new UsageError('out of memory before the search started (raise --max-memory)');
  if (rc !== 0) throw new Error(`internal error: the kernel rejected the configuration (${rc})`);
}

/** The two scratch states a replay steps between: `a` holds the current state, `b` receives a step's successor. */
export interface ReplayScratch {
  a: number;
  b: number;
  size: number;
}

/** Configure the instance for `c` and put the initial state in scratch `a` (replay, watch expressions, explore). */
export function startAtInitial(x: FdraceExports, c: Compiled): ReplayScratch {
  loadConfig(x, c);
  const a = x.eScratch(0);
  const size = x.kStateSize();
  new Uint8Array(x.memory.buffer).copyWithin(a, x.eStateAddr(0), x.eStateAddr(0) + size);
  return { a, b: x.eScratch(1), size };
}
