// One shard of a breadth-first search split over independent processes (fdrace check --shard i/n). Every shard
// runs the same deterministic prefix: breadth-first, level by level, until the next level holds at least k*n
// states (the frontier). There each shard keeps the frontier states whose hash falls in its slice
// (checker/wasm/shard.ts) and explores their subgraphs exhaustively with its own visited set. The prefix and the
// whole frontier are judged in every shard, so every property is checked on every reachable state by some shard;
// the counterexamples are parent chains of the one engine instance, so they are full paths from the initial
// state. Why the union of the shards is the unsharded search: docs/search.md, "Sharding".

import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { BoundError, finish, type Found } from './collect.ts';
import { RUN, engine, type EngineExports } from './engine-api.ts';
import { runLoop } from './loop.ts';
import { prepare, type Limits, type SearchOptions } from './options.ts';
import { parallelBfs } from './parallel.ts';
import type { SearchResult } from './result.ts';

/** Shards are numbered from 0 (like Kubernetes' JOB_COMPLETION_INDEX). */
export interface ShardSpec {
  index: number;
  count: number;
  /** The frontier has at least frontierFactor * count states (the last prefix level may hold more). */
  frontierFactor: number;
}

export const DEFAULT_FRONTIER_FACTOR = 64;
export const MAX_SHARDS = 65536;

export interface ShardInfo {
  index: number;
  count: number;
  frontierFactor: number;
  /** Depth of the frontier level (the level that was partitioned); null when the search ended before any level
   *  reached k*n states: then every shard explored everything (and they agree exactly). */
  cutLevel: number | null;
  /** States in the frontier (the same in every shard), and how many of them (plus sleep-set re-expansions)
   *  this shard kept. */
  frontierStates: number;
  ownedStates: number;
  /** States stored when the cut was made, frontier included: identical in every shard (the known overlap). */
  prefixStates: number;
}

/** Parse "i/n" (0 <= i < n). Throws an Error with the reason; the CLI turns it into a usage error. */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^\s*(\d{1,6})\s*\/\s*(\d{1,6})\s*$/.exec(text);
  if (!m) throw new Error(`--shard needs INDEX/COUNT, e.g. 0/4 (shards are numbered from 0), got '${text.slice(0, 40)}'`);
  const index = Number(m[1]);
  const count = Number(m[2]);
  if (count < 1 || count > MAX_SHARDS) throw new Error(`--shard ${text}: the number of shards must be between 1 and ${MAX_SHARDS}`);
  if (index >= count) {
    throw new Error(`--shard ${text}: the index must be between 0 and ${count - 1} (shards are numbered from 0, like JOB_COMPLETION_INDEX)`);
  }
  return { index, count };
}

/** The shard index from the batch engine's environment: Kubernetes Indexed Jobs (JOB_COMPLETION_INDEX), Slurm
 *  job arrays (SLURM_ARRAY_TASK_ID, relative to SLURM_ARRAY_TASK_MIN), or FDRACE_SHARD_INDEX. */
export function shardIndexFromEnv(env: NodeJS.ProcessEnv, count: number): { index: number; from: string } {
  const read = (name: string): number | undefined => {
    const v = env[name];
    if (v === undefined || v === '') return undefined;
    if (!/^\d{1,6}$/.test(v.trim())) throw new Error(`${name}='${v.slice(0, 20)}' is not a shard index`);
    return Number(v.trim());
  };
  let index: number | undefined;
  let from = '';
  for (const name of ['FDRACE_SHARD_INDEX', 'JOB_COMPLETION_INDEX']) {
    index = read(name);
    if (index !== undefined) {
      from = name;
      break;
    }
  }
  if (index === undefined) {
    const task = read('SLURM_ARRAY_TASK_ID');
    if (task !== undefined) {
      index = task - (read('SLURM_ARRAY_TASK_MIN') ?? 0);
      from = 'SLURM_ARRAY_TASK_ID';
    }
  }
  if (index === undefined) {
    throw new Error('--shard-from-env: none of FDRACE_SHARD_INDEX, JOB_COMPLETION_INDEX, SLURM_ARRAY_TASK_ID is set');
  }
  if (index < 0 || index >= count) throw new Error(`--shard-from-env ${count}: ${from} gives index ${index}, outside 0..${count - 1}`);
  return { index, from };
}

/** Cuts the level when it is big enough; remembers what it did. */
class Cutter {
  readonly info: ShardInfo;
  private readonly spec: ShardSpec;
  constructor(spec: ShardSpec) {
    this.spec = spec;
    this.info = { ...spec, cutLevel: null, frontierStates: 0, ownedStates: 0, prefixStates: 0 };
  }
  get done(): boolean {
    return this.info.cutLevel !== null;
  }
  /** Between two levels: cut when the next level is the frontier. */
  atBarrier(e: EngineExports): void {
    if (this.done) return;
    const next = e.eFrontier() >>> 0;
    if (next < this.spec.frontierFactor * this.spec.count) return;
    this.info.cutLevel = (e.eLevel() >>> 0) + 1;
    this.info.frontierStates = next;
    this.info.prefixStates = e.eCount() >>> 0;
    this.info.ownedStates = e.eShardCut(this.spec.index, this.spec.count) >>> 0;
  }
}

export interface ShardRun {
  result: SearchResult;
  shard: ShardInfo;
  /** The instance that searched (for the state hashes and the lock-order edges), valid until reused. */
  x: FdraceExports;
}

function once(x: FdraceExports, c: Compiled, limits: Limits, options: SearchOptions, file: string, spec: ShardSpec): ShardRun {
  const o: SearchOptions = { ...options, strategy: 'bfs' };
  const t0 = performance.now();
  prepare(x, c, limits, o);
  const e = engine(x);
  const cut = new Cutter(spec);
  const incomplete = runLoop(x, limits, t0, {
    step: (n) => {
      if (cut.done) return e.eRun(n);
      // Level by level until the cut, so that the host sees every barrier.
      const rc = e.eBfsWork(n);
      if (rc !== RUN.levelDone) return rc;
      cut.atBarrier(e);
      return e.eBfsNextLevel() === 0 ? RUN.done : RUN.more;
    },
    frontier: () => e.eFrontier() >>> 0,
    remaining: () => `level ${e.eLevel()}${cut.done ? `, shard ${spec.index}/${spec.count}` : ', shared prefix'}`,
  });
  // Not exhaustive alone: a `sometimes` expectation satisfied only in another shard's part is decided by merge.
  const result = finish({ x, c, file, t0, incomplete, found: new Map<number, Found>(), options: o, limits, exhaustive: false });
  return { result, shard: cut.info, x };
}

async function onceParallel(c: Compiled, limits: Limits, options: SearchOptions, workers: number, file: string, spec: ShardSpec): Promise<ShardRun> {
  const cut = new Cutter(spec);
  let searched: FdraceExports | undefined;
  const result = await parallelBfs(
    c,
    limits,
    options,
    workers,
    file,
    (r, x) => {
      searched = x;
      return r;
    },
    (x) => cut.atBarrier(x),
  );
  // parallelBfs concluded `sometimes` expectations on its part alone: merge decides them from every shard.
  result.violations = result.violations.filter((v) => !(v.kind === 'sometimes' && v.path === '' && v.message.endsWith('no reachable state satisfies it')));
  if (!result.violations.some((v) => v.property !== 'deadlock')) {
    result.verdict = result.violations.length > 0 ? 'deadlock' : result.incomplete ? 'incomplete' : 'pass';
  }
  return { result, shard: cut.info, x: searched! };
}

function withoutPor(e: unknown, options: SearchOptions): SearchOptions {
  if (!(e instanceof BoundError) || options.por === false) throw e;
  return { ...options, por: false };
}

function noted(run: ShardRun, e: unknown): ShardRun {
  const msg = (e as Error).message.replace(/^internal error: /, '');
  const s = run.result.search;
  if (s) s.notes = [...(s.notes ?? []), `partial-order reduction was switched off: ${msg}`];
  return run;
}

/** Run shard spec.index of spec.count. A step outside its footprint bound redoes the shard without partial-order
 *  reduction, as the unsharded search does (every shard meets the same prefix, so all of them switch). */
export async function shardSearch(
  x: FdraceExports,
  c: Compiled,
  limits: Limits,
  options: SearchOptions,
  workers: number,
  file: string,
  spec: ShardSpec,
): Promise<ShardRun> {
  if (workers > 1) {
    try {
      return await onceParallel(c, limits, options, workers, file, spec);
    } catch (e) {
      return noted(await onceParallel(c, limits, withoutPor(e, options), workers, file, spec), e);
    }
  }
  try {
    return once(x, c, limits, options, file, spec);
  } catch (e) {
    return noted(once(x, c, limits, withoutPor(e, options), file, spec), e);
  }
}
