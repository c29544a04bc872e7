// The Session as Node front ends use it: kernels read from build/, parallel search on worker threads.

import { loadKernel } from './kernel/load-node.ts';
import { parallelSearch } from './search/run-parallel.ts';
import { Session } from './session.ts';

export function nodeSession(): Session {
  return new Session({ kernel: loadKernel, parallel: parallelSearch });
}
