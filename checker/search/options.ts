// Search options (strategy, storage, reductions, workers) and the limits every strategy honours; `prepare` writes
// them into the engine and resets it for a compiled scenario.

import type { Compiled } from '../compile/config.ts';
import { UsageError } from '../errors.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { STORAGE, STRATEGY, engine } from './engine-api.ts';

export type Strategy = 'bfs' | 'dfs' | 'random' | 'pb';
export type StorageMode = 'full' | 'collapse' | 'fingerprint' | 'bitstate';

export interface SearchOptions {
  strategy?: Strategy;
  storage?: StorageMode;
  /** Partial-order reduction with sleep sets (bfs, dfs). Default: on. */
  por?: boolean;
  /** Symmetry reduction for interchangeable threads (bfs, dfs). Default: on. */
  symmetry?: boolean;
  /** Sleep sets on top of partial-order reduction (full storage only). Default: on with por. */
  sleepSets?: boolean;
  /** bitstate: hash functions per state (k), default 3. */
  hashes?: number;
  /** random: base seed, number of walks, depth bound per walk. */
  seed?: number;
  walks?: number;
  walkDepth?: number;
  /** pb: the largest preemption bound to explore (default: no bound). */
  maxPreemptions?: number;
  /** Transaction (Lipton) reduction (bfs, dfs): one move runs a whole transaction of a thread and only its last
   *  state is stored (checker/wasm/transaction.ts, docs/search.md). Default: off. */
  transactions?: boolean;
  /** With transactions: check that every step classified as a mover commutes with the other threads' enabled
   *  steps, and report the first that does not as a model bug. */
  checkMovers?: boolean;
  /** Dynamic partial-order reduction (dfs only): source-DPOR with sleep sets (checker/wasm/dpor.ts,
   *  docs/search.md), without a visited set ('stateless') or with one ('stateful', full or collapse storage).
   *  Replaces the ample sets; symmetry is off with it. Default: off. */
  dpor?: 'stateless' | 'stateful';
  /** Tests of --check-movers only: classify every step as a both-mover (wrong on purpose). */
  naiveMovers?: boolean;
  /** Tests of the lockset discipline check only: declare every field group locked, even in a variant that breaks
   *  the discipline by design (model/lockset.ts). */
  strictLockset?: boolean;
  /** Tests of the slot-bound check only: leave close() out of model/slot_bounds.ts, so that its store is reported. */
  narrowSlotBounds?: boolean;
  /** Check every executed step against its thread's footprint bound even without reduction (tests). */
  checkBounds?: boolean;
  /** Collect the hashes of terminal states (tests): 'raw' or 'canonical' (orbits under symmetry). */
  collectTerminals?: 'raw' | 'canonical';
  /** bitstate: another family of hash functions (swarm members differ in it); 0 is the default family. */
  bitSalt?: number;
  /** collapse: the component tables' first size, 2^n slots (tests make it small so that they grow). */
  collapseSlotsLog2?: number;
  /** With several workers: partition the visited set among them, each with its own memory of up to 4 GiB
   *  (checker/search/partition.ts), instead of sharing one. Full and collapse storage. */
  partition?: boolean;
}

export interface Progress {
  states: number;
  frontier: number;
  transitions: number;
  depth: number;
  seconds: number;
  memoryBytes: number;
  /** What the strategy can say about the work left (level progress, walks left, bound reached). */
  remaining?: string;
}

export interface Limits {
  maxStates?: number;
  maxDepth?: number;
  timeoutSeconds?: number;
  maxMemoryBytes?: number;
  /** Checked between batches: return true to stop (Ctrl-C). */
  interrupted?: () => boolean;
  onProgress?: (p: Progress) => void;
}

export const DEFAULTS = {
  strategy: 'bfs' as Strategy,
  /** Lossless; as fast as full storage and about a tenth of its memory (bench/README.md). */
  storage: 'collapse' as StorageMode,
  por: true,
  symmetry: true,
  hashes: 3,
  walks: 1000,
  walkDepth: 10_000,
  /** Bitstate array when --max-memory is not given: 2^29 bits = 64 MiB. */
  bitsLog2: 29,
};

/** The bit array's size: the largest power of two not above half of --max-memory, else the default. */
export function bitsLog2For(maxMemoryBytes: number | undefined): number {
  if (!maxMemoryBytes) return DEFAULTS.bitsLog2;
  const bytes = Math.max(4096, maxMemoryBytes / 2);
  return Math.min(34, Math.floor(Math.log2(bytes * 8)));
}

export function effectiveStorage(o: SearchOptions): StorageMode {
  const strategy = o.strategy ?? DEFAULTS.strategy;
  if (strategy === 'pb') return 'full';
  if (strategy === 'random') return o.storage === 'bitstate' ? 'bitstate' : 'fingerprint';
  return o.storage ?? DEFAULTS.storage;
}

/** Configure the engine for the options and reset it with the scenario. */
export function prepare(x: FdraceExports, c: Compiled, limits: Limits, o: SearchOptions): void {
  const e = engine(x);
  const strategy = o.strategy ?? DEFAULTS.strategy;
  const storage = effectiveStorage(o);
  const reduce = strategy === 'bfs' || strategy === 'dfs';
  const dpor = strategy === 'dfs' ? o.dpor : undefined;
  const por = reduce && (dpor !== undefined || (o.por ?? DEFAULTS.por));
  const depth = strategy === 'random' ? (o.walkDepth ?? DEFAULTS.walkDepth) : Math.min(65535, limits.maxDepth ?? 65535);
  e.eSetup(
    STORAGE[storage],
    STRATEGY[strategy],
    por ? 1 : 0,
    por && (o.sleepSets ?? true) ? 1 : 0,
    reduce && dpor === undefined && (o.symmetry ?? DEFAULTS.symmetry) ? 1 : 0,
    o.hashes ?? DEFAULTS.hashes,
    depth,
    bitsLog2For(limits.maxMemoryBytes),
    strategy === 'pb' ? Math.min(254, o.maxPreemptions ?? 254) : 255,
    o.checkBounds ? 1 : 0,
    limits.maxStates ?? 0,
  );
  if (reduce && (o.transactions || o.checkMovers))
    e.eSetTransactions(1 | (o.checkMovers ? 2 : 0) | (o.naiveMovers ? 4 : 0) | (o.strictLockset ? 8 : 0) | (o.narrowSlotBounds ? 16 : 0));
  if (dpor) e.eSetDpor(dpor === 'stateless' ? 1 : 2);
  if (o.collectTerminals) e.eCollectTerminals(o.collectTerminals === 'raw' ? 1 : 2);
  if (o.bitSalt) e.eSetBitSalt(o.bitSalt >>> 0);
  if (o.collapseSlotsLog2) e.eSetCollapseSlots(o.collapseSlotsLog2);
  new Uint8Array(x.memory.buffer, x.eConfigAddr(), c.bytes.length).set(c.bytes);
  const rc = x.eInit(limits.maxMemoryBytes ?? 0);
  if (rc === -2) throw new UsageError('out of memory before the search started (raise --max-memory)');
  if (rc !== 0) throw new Error(`internal error: the kernel rejected the configuration (${rc})`);
}
