// A partitioned search worker (checker/search/partition.ts): an instance of the plain engine with its own memory,
// holding the states whose hash falls in its slice. The coordinator drives it through comlink, one call per phase
// of a level; the state batches themselves go worker to worker over MessagePorts, read synchronously
// (receiveMessageOnPort) between two batches of expansions, so the hot path never waits for the event loop.

import { parentPort, receiveMessageOnPort, type MessagePort } from 'node:worker_threads';
import * as Comlink from 'comlink';
import nodeEndpoint from 'comlink/dist/esm/node-adapter.mjs';
import { instantiate, type FdraceExports } from '../kernel/exports.ts';
import { RUN, reductionCodes } from './engine-api.ts';
import { boundError } from './collect.ts';
import { prepare, type Limits, type SearchOptions } from './options.ts';
import type { Compiled } from '../compile/config.ts';
import { Cfg, LockIndex } from '../../model/abi.ts';

/** Bytes of the lock-order edge table: a u16 per ordered pair of locks. */
export const LOCK_EDGE_BYTES = LockIndex.Count * LockIndex.Count * 2;

/** Items expanded between two flushes of the outboxes (each item has at most 16 successors). */
export const BUDGET = 256;
/** Replies handled per call (the cycle proviso's full expansions). */
const REST_BATCH = 256;
const MAX_MOVES = 16;

/** A batch crossing between workers: successor states ('s') or cycle-proviso replies ('r'). */
interface Batch {
  kind: 's' | 'r';
  bytes: Uint8Array;
  n: number;
}

export interface WorkerStats {
  states: number;
  transitions: number;
  terminals: number;
  maxDepth: number;
  sometimes: number;
  ample: number;
  fullExpansions: number;
  slept: number;
  depthCut: boolean;
  memoryBytes: number;
  storeBytes: number;
  visitedBytes: number;
  reports: { kind: number; code: number; obj: number; id: number; depth: number }[];
  /** The kernel's lock-order edge table (checker/lockdep.ts reads it). */
  edges: Uint8Array;
  /** Lockset-discipline and mover-check findings of this instance (checker/search/collect.ts reductionCodes). */
  reductionCodes: number[];
}

/** The outcome of a phase: the engine's RUN_* code (RUN.more when all went well), a reason when it failed, and
 *  the number of batches sent so far to each worker (cumulative). */
export interface Phase {
  rc: number;
  why?: string;
  sent: number[];
  /** States this worker stores. */
  states: number;
}

let x: FdraceExports | undefined;
let me = 0;
let count = 0;
let ports: (MessagePort | undefined)[] = [];
let stop: Int32Array | undefined;
const sent: number[] = [];
const received: number[] = [];
let replies: Batch[] = [];
let failure: Phase | undefined;

function ex(): FdraceExports {
  if (!x) throw new Error('partition worker not set up');
  return x;
}

function post(dest: number, kind: 's' | 'r', ptr: number, len: number, n: number): void {
  const bytes = new Uint8Array(len);
  bytes.set(new Uint8Array(ex().memory.buffer, ptr, len));
  ports[dest]!.postMessage({ kind, bytes, n } satisfies Batch, [bytes.buffer]);
  sent[dest]!++;
}

function flushStates(): void {
  const e = ex();
  for (let d = 0; d < count; d++) {
    if (d === me) continue;
    const len = e.ePartOutboxBytes(d);
    if (len === 0) continue;
    post(d, 's', e.ePartOutbox(d), len, 0);
    e.ePartOutboxClear(d);
  }
}

function flushReplies(): void {
  const e = ex();
  for (let d = 0; d < count; d++) {
    const n = e.ePartReplyCount(d);
    if (n === 0) continue;
    if (d === me) replies.push({ kind: 'r', bytes: new Uint8Array(e.memory.buffer, e.ePartReplies(d), n * 8).slice(), n });
    else post(d, 'r', e.ePartReplies(d), n * 8, n);
    e.ePartRepliesClear(d);
  }
}

const RECEIVE_WHY = [
  '',
  'out of memory (--max-memory or the 4 GiB Wasm limit)',
  'internal error: a cycle-proviso reply buffer overflowed',
  'more than 2^28 states in one worker',
];

/** Insert the batches waiting on the ports. False when an insertion failed (failure says why). */
function drain(): boolean {
  const e = ex();
  for (let s = 0; s < count; s++) {
    const p = ports[s];
    if (!p) continue;
    for (;;) {
      const m = receiveMessageOnPort(p);
      if (!m) break;
      received[s]!++;
      const b = m.message as Batch;
      if (b.kind === 'r') {
        replies.push(b);
        continue;
      }
      new Uint8Array(e.memory.buffer, e.ePartInbox(), b.bytes.length).set(b.bytes);
      const rc = e.ePartReceive(b.bytes.length);
      if (rc !== 0) {
        failure = phase(rc === 1 ? RUN.outOfMemory : RUN.limit, RECEIVE_WHY[rc]);
        return false;
      }
      flushReplies();
    }
  }
  return true;
}

function phase(rc: number, why?: string): Phase {
  return { rc, ...(why ? { why } : {}), sent: [...sent], states: x ? x.eCount() >>> 0 : 0 };
}

const api = {
  async setup(
    module: WebAssembly.Module,
    bytes: Uint8Array,
    limits: Limits,
    options: SearchOptions,
    index: number,
    workers: number,
    peers: (MessagePort | undefined)[],
    stopFlag: SharedArrayBuffer,
  ): Promise<number> {
    x = await instantiate(module);
    failure = undefined;
    replies = [];
    me = index;
    count = workers;
    ports = peers;
    stop = new Int32Array(stopFlag);
    for (let i = 0; i < count; i++) {
      sent[i] = 0;
      received[i] = 0;
    }
    prepare(x, { bytes } as Compiled, limits, options);
    // An outbox holds what one call of BUDGET items (or REST_BATCH replies) can send: flushed after each call.
    const entry = (20 + x.eStateBytes() + 7) & ~7;
    const items = Math.max(BUDGET + 32, REST_BATCH) * MAX_MOVES;
    return x.ePartSetup(index, workers, items * entry, items) !== 0 ? 0 : -2;
  },
  /** Expand this worker's share of the current level, sending remote successors as it goes. */
  level(): Phase {
    const e = ex();
    if (failure) return failure;
    for (;;) {
      if (stop && Atomics.load(stop, 0) !== 0) return phase(RUN.stopped);
      const rc = e.eBfsWork(BUDGET);
      flushStates();
      if (!drain()) return failure!;
      if (rc === RUN.more) continue;
      if (rc === RUN.levelDone) return phase(RUN.more);
      if (rc === RUN.bound) return phase(rc, boundError(e)?.message ?? 'internal error: footprint bound violated');
      if (rc === RUN.outOfMemory) return phase(rc, RECEIVE_WHY[1]);
      return phase(rc);
    }
  },
  /** Receive until `expected[s]` batches came from each worker s, then expand what the cycle proviso asked for
   *  and send the replies this worker owes. */
  settle(expected: number[]): Phase {
    const e = ex();
    if (failure) return failure;
    for (;;) {
      if (!drain()) return failure!;
      if (expected.every((n, s) => received[s]! >= n)) break;
      // The batches were posted before the coordinator asked: they arrive within microseconds.
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
    }
    flushReplies();
    const todo = replies;
    replies = [];
    for (const b of todo) {
      for (let k = 0; k < b.n; k += REST_BATCH) {
        const n = Math.min(REST_BATCH, b.n - k);
        new Uint8Array(e.memory.buffer, e.ePartInbox(), n * 8).set(b.bytes.subarray(k * 8, (k + n) * 8));
        if (e.ePartRest(n) !== 0) return phase(RUN.outOfMemory, RECEIVE_WHY[1]);
        flushStates();
        if (!drain()) return failure!;
      }
    }
    flushReplies();
    return phase(RUN.more);
  },
  /** The barrier: the next level becomes current. True when this worker has work in it. */
  next(): boolean {
    return ex().eBfsNextLevel() !== 0;
  },
  stats(): WorkerStats {
    const e = ex();
    const reports: WorkerStats['reports'] = [];
    for (let k = 0; k < e.eReportCount(); k++) {
      const id = e.eReport(k, 3) >>> 0;
      reports.push({ kind: e.eReport(k, 0), code: e.eReport(k, 1), obj: e.eReport(k, 2), id, depth: e.eDepthOf(id) });
    }
    return {
      states: e.eCount() >>> 0,
      transitions: e.eTransitions(),
      terminals: e.eTerminals() >>> 0,
      maxDepth: e.eMaxDepth(),
      sometimes: e.eSometimes() >>> 0,
      ample: e.eAmple(),
      fullExpansions: e.eFullExpansions() >>> 0,
      slept: e.eSlept(),
      depthCut: e.eDepthCut() !== 0,
      memoryBytes: e.eMemBytes(),
      storeBytes: e.eStoreBytes(),
      visitedBytes: e.eVisitedBytes(),
      reports,
      edges: new Uint8Array(e.memory.buffer, e.eConfigAddr() + Cfg.LockEdges, LOCK_EDGE_BYTES).slice(),
      reductionCodes: reductionCodes(e),
    };
  },
  /** Back to the pool: let go of the instance (its memory may be gigabytes) and the ports. */
  reset(): void {
    x = undefined;
    for (const p of ports) p?.close();
    ports = [];
  },
  /** Parent (a global id, or 0xFFFFFFFF for the initial state) and move of local record `id`. */
  parent(id: number): [number, number] {
    const e = ex();
    return [e.eParent(id) >>> 0, e.eMove(id)];
  },
};

export type PartitionWorkerApi = typeof api;

/** Serve the coordinator (the worker entry, partition-worker.mjs, calls it; importing this module does nothing). */
export function serve(): void {
  if (!parentPort) throw new Error('checker/search/partition-worker.ts must run in a worker thread');
  Comlink.expose(api, nodeEndpoint(parentPort));
}
