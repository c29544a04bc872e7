// A search worker: an instance of the threaded engine on the coordinator's shared memory, driven through
// comlink. It expands its share of each BFS level until the level is handed out, the table needs to grow, or the
// coordinator raises the stop flag.

import { parentPort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { RUN, reductionCodes, type EngineExports } from './engine-api.ts';
import { instantiateThreaded } from './threaded.ts';

let x: EngineExports | undefined;

const api = {
  async attach(module: WebAssembly.Module, memory: WebAssembly.Memory, id: number): Promise<number> {
    x = await instantiateThreaded(module, memory);
    return x.eAttach(id);
  },
  /** Expand until this worker has nothing left to take in the level. Returns the engine's RUN_* code. */
  level(): number {
    if (!x) throw new Error('worker not attached');
    for (;;) {
      const rc = x.eBfsWork(1 << 16);
      if (rc !== RUN.more) return rc;
    }
  },
  /** This instance's lockset-discipline and mover-check findings (checker/search/collect.ts reductionCodes). */
  reductionCodes(): number[] {
    if (!x) throw new Error('worker not attached');
    return reductionCodes(x);
  },
};

export type WorkerApi = typeof api;

if (!parentPort) throw new Error('checker/search/worker.ts must run in a worker thread');
Comlink.expose(api, nodeEndpoint(parentPort));
