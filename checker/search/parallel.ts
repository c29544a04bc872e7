// Parallel breadth-first search: N worker threads, each an instance of the threaded engine on ONE shared Wasm
// memory that holds the visited set (lock-free insertion by compare-and-swap), the records or level queues, and
// the reports. Each BFS level is handed out in small grabs from a shared cursor; the next level is appended
// concurrently; this coordinator is the barrier between levels (and grows the visited set there when a worker
// asks). Verdicts are those of one worker. Counterexamples are shortest when no reduction is on: a state's
// parent is in the previous level whichever worker inserted it, so every path has the length of its level.

import { Worker } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { boundError, finish, workerMoverError, type Found } from './collect.ts';
import { RUN } from './engine-api.ts';
import { stopReason } from './loop.ts';
import { prepare, type Limits, type SearchOptions } from './options.ts';
import type { SearchResult } from './result.ts';
import { instantiateThreaded, sharedMemory, threadedWasmBytes, workerShim } from './threaded.ts';
import type { WorkerApi } from './worker.ts';

let module: WebAssembly.Module | undefined;
function threadedModule(): WebAssembly.Module {
  module ??= new WebAssembly.Module(threadedWasmBytes());
  return module;
}

export async function parallelBfs(
  c: Compiled,
  limits: Limits,
  options: SearchOptions,
  workers: number,
  file = c.scenario.name,
  after?: (r: SearchResult, x: FdraceExports) => SearchResult,
  /** Called at each barrier before the next level becomes current (sharding cuts the level there). */
  beforeNextLevel?: (x: FdraceExports) => void,
): Promise<SearchResult> {
  const o: SearchOptions = { ...options, strategy: 'bfs' };
  const mod = threadedModule();
  const memory = sharedMemory();
  const x = await instantiateThreaded(mod, memory);
  const t0 = performance.now();
  prepare(x, c, limits, o);
  const threads = Array.from({ length: workers }, () => new Worker(workerShim));
  const apis = threads.map((w) => Comlink.wrap<WorkerApi>(nodeEndpoint(w)));
  let incomplete: string | undefined;
  let stopWhy: string | undefined;
  let startup = 0;
  let lastProgress = performance.now();
  const timer = setInterval(() => {
    if (!stopWhy) {
      stopWhy = stopReason(limits, t0);
      if (stopWhy) x.eStop(1);
    }
    if (limits.onProgress && performance.now() - lastProgress > 1000) {
      lastProgress = performance.now();
      limits.onProgress({
        states: x.eCount() >>> 0,
        frontier: x.eFrontier() >>> 0,
        transitions: x.eTransitions(),
        depth: x.eMaxDepth(),
        seconds: (performance.now() - t0) / 1000,
        memoryBytes: x.eMemBytes(),
        remaining: `level ${x.eLevel()}, ${workers} workers`,
      });
    }
  }, 50);
  try {
    const rcs = await Promise.all(apis.map((a, i) => a.attach(mod, memory, i + 1)));
    if (rcs.some((rc) => rc !== 0)) throw new Error('out of memory while starting the workers (raise --max-memory)');
    startup = (performance.now() - t0) / 1000;
    for (;;) {
      const res = await Promise.all(apis.map((a) => a.level()));
      if (res.includes(RUN.bound)) throw boundError(x) ?? new Error('internal error: footprint bound violated');
      if (res.includes(RUN.outOfMemory)) {
        incomplete = 'out of memory (--max-memory or the 4 GiB Wasm limit)';
        break;
      }
      if (res.includes(RUN.limit)) {
        incomplete = `--max-states ${limits.maxStates} reached`;
        break;
      }
      if (res.includes(RUN.stopped)) {
        incomplete = stopWhy ?? 'interrupted';
        break;
      }
      if (res.includes(RUN.grow)) {
        if (x.eGrow() === 0) {
          incomplete = 'out of memory (--max-memory or the 4 GiB Wasm limit)';
          break;
        }
        continue;
      }
      beforeNextLevel?.(x);
      if (x.eBfsNextLevel() === 0) break;
      const why = stopWhy ?? stopReason(limits, t0);
      if (why) {
        incomplete = why;
        break;
      }
    }
    if (!incomplete && x.eDepthCut() !== 0) incomplete = `--max-depth ${limits.maxDepth} reached`;
    // The transactions were run by the workers' instances: their discipline and mover findings are theirs.
    for (const codes of await Promise.all(apis.map((a) => a.reductionCodes()))) {
      const wrong = workerMoverError(codes);
      if (wrong) throw wrong;
    }
  } finally {
    clearInterval(timer);
    for (const a of apis) a[Comlink.releaseProxy]();
    await Promise.all(threads.map((w) => w.terminate()));
  }
  const found = new Map<number, Found>();
  const r = finish({ x, c, file, t0, incomplete, found, options: o, limits, workers, exhaustive: true });
  r.stats.startupSeconds = startup;
  return after ? after(r, x) : r;
}
