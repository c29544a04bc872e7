// Partitioned breadth-first search (Stern & Dill's parallel Murphi): N worker threads, each an instance of the
// plain engine with its OWN Wasm memory (up to 4 GiB each) and visited set, holding the states whose hash falls in
// its slice (checker/wasm/partition.ts). Level-synchronous: every worker expands its share of the level and sends
// the successors other workers own to them in batches, worker to worker, while it goes on; at the end of the level
// this coordinator waits until every batch sent has been received (each worker's count of batches sent and
// received), then makes the next level current everywhere. Counterexamples are shortest: a state's record is made
// in the level after its parent's. Parents are global ids (worker << 28 | record), and a path is rebuilt by asking
// the owners in turn. Verdicts, violated properties and state/transition counts are those of one worker
// (docs/search.md, "Workers").

import { MessageChannel, Worker, type MessagePort } from 'node:worker_threads';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { kernelModule, loadKernel } from '../kernel/load-node.ts';
import { BoundError, finish, workerMoverError, type Found } from './collect.ts';
import { RUN } from './engine-api.ts';
import { stopReason } from './loop.ts';
import { effectiveStorage, prepare, type Limits, type SearchOptions } from './options.ts';
import type { SearchResult } from './result.ts';
import { LOCK_EDGE_BYTES, type PartitionWorkerApi, type Phase, type WorkerStats } from './partition-worker.ts';
import { Cfg } from '../../model/abi.ts';

const shim = join(dirname(fileURLToPath(import.meta.url)), 'partition-worker.mjs');
const ID_BITS = 28;
const NONE = 0xffffffff;
/** Partitioned workers, at most (the worker number takes the 4 high bits of a global id). */
export const MAX_PARTITIONS = 16;

/** Test hook: called with the worker threads once they are started (a test ends one to see the search fail). */
export interface PartitionHooks {
  onStart?: (threads: Worker[]) => void;
}

export async function partitionedBfs(
  c: Compiled,
  limits: Limits,
  options: SearchOptions,
  workers: number,
  file = c.scenario.name,
  hooks: PartitionHooks = {},
  after?: (r: SearchResult, x: FdraceExports) => SearchResult,
): Promise<SearchResult> {
  const o: SearchOptions = { ...options, strategy: 'bfs' };
  const storage = effectiveStorage(o);
  if (storage !== 'full' && storage !== 'collapse') {
    throw new Error(`partitioned workers store whole states: --storage ${storage} is not supported (use full or collapse)`);
  }
  if (workers < 2 || workers > MAX_PARTITIONS) throw new Error(`partitioned workers: between 2 and ${MAX_PARTITIONS}, got ${workers}`);
  const t0 = performance.now();
  const module = kernelModule();
  const stop = new SharedArrayBuffer(4);
  const stopFlag = new Int32Array(stop);
  // One port per ordered pair of workers: ports[i][j] is worker i's end towards worker j.
  const ports: (MessagePort | undefined)[][] = Array.from({ length: workers }, () => Array<MessagePort | undefined>(workers));
  for (let i = 0; i < workers; i++) {
    for (let j = i + 1; j < workers; j++) {
      const ch = new MessageChannel();
      ports[i]![j] = ch.port1;
      ports[j]![i] = ch.port2;
    }
  }
  const pooled = take(workers);
  const threads = pooled.map((p) => p.worker);
  const apis = pooled.map((p) => p.api);
  hooks.onStart?.(threads);
  // A worker that dies (an exception, the thread ended, out of host memory) ends the search: every call races it.
  let dead: ((e: Error) => void) | undefined;
  const death = new Promise<never>((_, reject) => {
    dead = reject;
  });
  death.catch(() => undefined);
  const listeners = threads.map((w, i) => {
    const onError = (e: Error) => dead?.(new Error(`partitioned worker ${i} failed: ${e.message}`));
    const onExit = (code: number) => dead?.(new Error(`partitioned worker ${i} ended (exit code ${code})`));
    w.on('error', onError);
    w.on('exit', onExit);
    return () => {
      w.off('error', onError);
      w.off('exit', onExit);
    };
  });
  const all = <T>(f: (a: Comlink.Remote<PartitionWorkerApi>, i: number) => Promise<T>): Promise<T[]> => Promise.race([Promise.all(apis.map(f)), death]);

  let healthy = false;
  let incomplete: string | undefined;
  let stopWhy: string | undefined;
  let startup = 0;
  let stats: WorkerStats[] = [];
  const chains = new Map<number, [number, number]>();
  const timer = setInterval(() => {
    if (stopWhy) return;
    stopWhy = stopReason(limits, t0);
    if (stopWhy) Atomics.store(stopFlag, 0, 1);
  }, 50);
  const wlimits: Limits = { ...limits, onProgress: undefined, interrupted: undefined };
  try {
    const rcs = await all((a, i) =>
      a.setup(
        module,
        c.bytes,
        wlimits,
        o,
        i,
        workers,
        Comlink.transfer(
          ports[i]!,
          ports[i]!.filter((p) => p !== undefined),
        ),
        stop,
      ),
    );
    if (rcs.some((rc) => rc !== 0)) throw new Error('out of memory while starting the workers (raise --max-memory)');
    startup = (performance.now() - t0) / 1000;
    let level = 0;
    for (;;) {
      let res: Phase[] = await all((a) => a.level());
      incomplete = failed(res, limits, stopWhy);
      if (incomplete) break;
      // Settle: deliver every batch sent (and what the cycle proviso's replies make the workers send) until a
      // round sends nothing new.
      for (;;) {
        const before = total(res);
        res = await all((a, i) => a.settle(res.map((p) => p.sent[i]!)));
        incomplete = failed(res, limits, stopWhy);
        if (incomplete || total(res) === before) break;
      }
      if (incomplete) break;
      const states = res.reduce((s, p) => s + p.states, 0);
      if (limits.maxStates && states >= limits.maxStates) {
        incomplete = `--max-states ${limits.maxStates} reached`;
        break;
      }
      const more = await all((a) => a.next());
      level++;
      limits.onProgress?.({
        states,
        frontier: 0,
        transitions: 0,
        depth: level,
        seconds: (performance.now() - t0) / 1000,
        memoryBytes: 0,
        remaining: `level ${level}, ${workers} partitioned workers`,
      });
      if (!more.includes(true)) break;
      const why = stopWhy ?? stopReason(limits, t0);
      if (why) {
        incomplete = why;
        break;
      }
    }
    stats = await all((a) => a.stats());
    for (const s of stats) {
      const wrong = workerMoverError(s.reductionCodes);
      if (wrong) throw wrong;
    }
    if (!incomplete && stats.some((s) => s.depthCut)) incomplete = `--max-depth ${limits.maxDepth} reached`;
    // The reported states' paths: parent links across the workers.
    for (const r of pickReports(stats)) {
      let g = ((r.worker << ID_BITS) | r.id) >>> 0;
      while (g !== NONE && !chains.has(g)) {
        const [p, mv] = await Promise.race([apis[g >>> ID_BITS]!.parent(g & ((1 << ID_BITS) - 1)), death]);
        chains.set(g, [p, mv]);
        g = p;
      }
    }
    await all((a) => a.reset());
    healthy = true;
  } finally {
    clearInterval(timer);
    dead = undefined;
    for (const off of listeners) off();
    if (healthy) park(pooled);
    else await Promise.all(pooled.map((p) => discard(p)));
  }
  if (stopWhy && !incomplete) incomplete = stopWhy;
  const x = await loadKernel();
  prepare(x, c, { ...limits, maxStates: undefined }, o);
  mergeEdges(x, stats);
  const view = mergedView(x, stats, chains);
  const r = finish({ x: view, c, file, t0, incomplete, found: new Map<number, Found>(), options: o, limits, workers, exhaustive: true });
  r.stats.startupSeconds = startup;
  return after ? after(r, x) : r;
}

/** The lock-order edges every worker saw, into the coordinator's instance: an edge seen by any worker, described
 *  as the lowest-numbered worker that saw it recorded it. */
function mergeEdges(x: FdraceExports, stats: WorkerStats[]): void {
  const to = new Uint16Array(x.memory.buffer, x.eConfigAddr() + Cfg.LockEdges, LOCK_EDGE_BYTES / 2);
  to.fill(0);
  for (const s of stats) {
    const from = new Uint16Array(s.edges.buffer, s.edges.byteOffset, LOCK_EDGE_BYTES / 2);
    for (let i = 0; i < from.length; i++) if (to[i] === 0) to[i] = from[i]!;
  }
}

interface Pooled {
  worker: Worker;
  api: Comlink.Remote<PartitionWorkerApi>;
}

/** Workers kept between searches (starting one costs about a second), ended after IDLE_MS without a search: their
 *  message ports would keep the process alive. */
const idle: Pooled[] = [];
const IDLE_MS = 1000;
let reaper: ReturnType<typeof setTimeout> | undefined;

function park(p: Pooled[]): void {
  idle.push(...p);
  clearTimeout(reaper);
  reaper = setTimeout(() => {
    for (const q of idle.splice(0)) void discard(q);
  }, IDLE_MS);
}

function take(n: number): Pooled[] {
  clearTimeout(reaper);
  const out = idle.splice(0, n);
  while (out.length < n) {
    const worker = new Worker(shim);
    out.push({ worker, api: Comlink.wrap<PartitionWorkerApi>(nodeEndpoint(worker)) });
  }
  return out;
}

async function discard(p: Pooled): Promise<void> {
  p.api[Comlink.releaseProxy]();
  await p.worker.terminate();
}

function total(res: Phase[]): number {
  return res.reduce((s, p) => s + p.sent.reduce((a, b) => a + b, 0), 0);
}

function failed(res: Phase[], limits: Limits, stopped: string | undefined): string | undefined {
  const bound = res.find((p) => p.rc === RUN.bound);
  if (bound) throw new BoundError(bound.why ?? 'internal error: footprint bound violated');
  const bad = res.find((p) => p.rc !== RUN.more);
  if (!bad) return undefined;
  if (bad.rc === RUN.limit && !bad.why) return `--max-states ${limits.maxStates} reached`;
  if (bad.rc === RUN.stopped) return stopped ?? 'interrupted';
  return bad.why ?? 'out of memory (--max-memory or the 4 GiB Wasm limit)';
}

interface Picked {
  kind: number;
  code: number;
  obj: number;
  id: number;
  worker: number;
}

/** One report per (kind, code), as one worker keeps: the shallowest (each worker's first is its shallowest,
 *  since states are judged when inserted, level by level), the lowest worker on a tie. */
function pickReports(stats: WorkerStats[]): Picked[] {
  const best = new Map<string, Picked & { depth: number }>();
  stats.forEach((s, worker) => {
    for (const r of s.reports) {
      const key = `${r.kind}:${r.code}`;
      const b = best.get(key);
      if (!b || r.depth < b.depth) best.set(key, { ...r, worker });
    }
  });
  return [...best.values()].sort((a, b) => a.depth - b.depth || a.kind - b.kind || a.code - b.code);
}

/** The coordinator's kernel instance (for paths and messages) seen through the workers' merged counters, reports
 *  and parent links, so that the one-worker result builder (collect.ts) serves unchanged. */
function mergedView(x: FdraceExports, stats: WorkerStats[], chains: Map<number, [number, number]>): FdraceExports {
  const sum = (f: (s: WorkerStats) => number) => stats.reduce((a, s) => a + f(s), 0);
  const reports = pickReports(stats);
  const o: Partial<FdraceExports> = {
    eCount: () => sum((s) => s.states),
    eTransitions: () => sum((s) => s.transitions),
    eTerminals: () => sum((s) => s.terminals),
    eMaxDepth: () => Math.max(0, ...stats.map((s) => s.maxDepth)),
    eSometimes: () => stats.reduce((a, s) => a | s.sometimes, 0),
    eAmple: () => sum((s) => s.ample),
    eFullExpansions: () => sum((s) => s.fullExpansions),
    eSlept: () => sum((s) => s.slept),
    eMemBytes: () => sum((s) => s.memoryBytes),
    eStoreBytes: () => sum((s) => s.storeBytes),
    eVisitedBytes: () => sum((s) => s.visitedBytes),
    eReportCount: () => reports.length,
    eReport: (k: number, field: number) => {
      const r = reports[k]!;
      return [r.kind, r.code, r.obj, ((r.worker << ID_BITS) | r.id) >>> 0, 0][field] ?? 0;
    },
    eParent: (g: number) => chains.get(g >>> 0)?.[0] ?? 0xfffffffe,
    eMove: (g: number) => chains.get(g >>> 0)?.[1] ?? 0,
  };
  return { ...x, ...o };
}
