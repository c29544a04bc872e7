// One pipeline for every front end: load -> resolve variant -> compile -> search -> report. The CLI commands
// (check, ci, verdicts, replay), the web worker, the link deriver, the bench and the tests all go through a
// Session, so a default (strategy, storage, reductions) lives in exactly one place — `searchDefaults` — and
// lock-order analysis is part of every search instead of a callback each caller must remember.
//
// Kernel instances are created through an injected factory (Node reads build/fdrace.wasm, the browser fetches
// it), and parallel search is injected by Node front ends, so this module runs unchanged in a Web Worker.

import { compileScenario, type Compiled } from './compile/config.ts';
import { compare, type Comparison } from './expected.ts';
import type { FdraceExports } from './kernel/exports.ts';
import { withLockOrder } from './lockdep.ts';
import { withLinearizability } from './props/linearizable.ts';
import { withProgress } from './search/progress.ts';
import { Path } from './path.ts';
import type { Scenario } from './scenario/types.ts';
import { DEFAULTS, type Limits, type SearchOptions, type Strategy } from './search/options.ts';
import type { SearchResult } from './search/result.ts';
import { searchYielding } from './search/run.ts';
import { replay } from './trace/replay.ts';
import type { Trace } from './trace/types.ts';
import { resolveVariant, type Variant } from './variants.ts';

/** A variant, parsed once (checker/variants.ts): preset, toggles off and on, mask and canonical label. */
export type ResolvedVariant = Variant;

/** The search options every front end starts from. Breadth-first search keeps its shortest-counterexample
 *  promise, which a partial-order-reduced graph may break, so reduction is opt-in there and the default of
 *  depth-first search; symmetry reduction keeps shortest paths (canonical states stay on their level) and is on. */
export function searchDefaults(strategy: Strategy = DEFAULTS.strategy): Required<Pick<SearchOptions, 'strategy' | 'storage' | 'por' | 'symmetry'>> {
  return { strategy, storage: DEFAULTS.storage, por: strategy === 'dfs', symmetry: DEFAULTS.symmetry };
}

/** `o` completed with the defaults for its strategy. */
export function withSearchDefaults(o: SearchOptions = {}): SearchOptions {
  const d = searchDefaults(o.strategy);
  return { ...d, ...Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) };
}

export interface RunOptions {
  search?: SearchOptions;
  limits?: Limits;
  /** Worker threads (bfs); more than one needs a parallel search (Node front ends inject it). */
  workers?: number;
}

/** Parallel breadth-first search over worker threads (checker/search/parallel.ts; Node only). */
export type ParallelSearch = (
  c: Compiled,
  limits: Limits,
  options: SearchOptions,
  workers: number,
  file: string,
  after: (r: SearchResult, x: FdraceExports) => SearchResult,
) => Promise<SearchResult>;

export interface SessionConfig {
  /** Makes a fresh kernel instance. */
  kernel: () => Promise<FdraceExports>;
  parallel?: ParallelSearch;
}

export interface Checked {
  compiled: Compiled;
  result: SearchResult;
  /** The result against the scenario's `result` line for this variant (when the variant is one it names). */
  comparison: Comparison;
}

export class Session {
  private searchKernel?: Promise<FdraceExports>;
  private replayKernel?: Promise<FdraceExports>;
  /** Searches yield to the event loop, and they share one kernel instance: they run one after another. */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly config: SessionConfig) {}

  /** Parse a variant spec (PRESET, PRESET~TOGGLE...) plus command-line toggle changes, once. */
  resolve(spec: string, without: readonly string[] = [], withT: readonly string[] = []): ResolvedVariant {
    return resolveVariant(spec, [...without], [...withT]);
  }

  compile(s: Scenario, v: ResolvedVariant, file: string): Compiled {
    return compileScenario(s, v.label, v.toggles, file);
  }

  /** The instance searches run in. Replays use another one: a replay resets the engine, and the search's store
   *  and lock graph must outlive it. */
  private searcher(): Promise<FdraceExports> {
    this.searchKernel ??= this.config.kernel();
    return this.searchKernel;
  }

  private replayer(): Promise<FdraceExports> {
    this.replayKernel ??= this.config.kernel();
    return this.replayKernel;
  }

  /** Search a compiled scenario with the session defaults, lock-order inversions included. */
  search(c: Compiled, file: string, o: RunOptions = {}): Promise<SearchResult> {
    const run = this.queue.then(() => this.searchNow(c, file, o));
    this.queue = run.catch(() => undefined);
    return run;
  }

  private async searchNow(c: Compiled, file: string, o: RunOptions): Promise<SearchResult> {
    const options = withSearchDefaults(o.search);
    const limits = o.limits ?? {};
    const workers = o.workers ?? 1;
    if (workers > 1 && options.strategy === 'bfs') {
      if (!this.config.parallel) throw new Error('parallel search is not available in this front end');
      return this.linearizable(await this.config.parallel(c, limits, options, workers, file, (r, x) => withLockOrder(r, x, c)), c);
    }
    const x = await this.searcher();
    const r = await searchYielding(x, c, limits, options, file, (res, xs) => withLockOrder(res, xs, c));
    return this.linearizable(r, c);
  }

  /** Properties of the whole graph, checked after the search on the replay instance: progress (livelock,
   *  checker/search/progress.ts) always, and `check linearizable` (checker/props/linearizable.ts) when asked. */
  private async linearizable(r0: SearchResult, c: Compiled): Promise<SearchResult> {
    const r = r0.incomplete ? r0 : withProgress(r0, await this.replayer(), c);
    if (!c.scenario.checks.some((k) => k.name === 'linearizable')) return r;
    return withLinearizability(r, await this.replayer(), c);
  }

  /** The whole pipeline for one scenario x variant. */
  async check(s: Scenario, v: ResolvedVariant, file: string, o: RunOptions = {}): Promise<Checked> {
    const compiled = this.compile(s, v, file);
    const result = await this.search(compiled, file, o);
    return { compiled, result, comparison: compare(s, result, v.label) };
  }

  /** Replay a path into a Trace; `property` names the violation the trace is about. */
  async replay(c: Compiled, path: Path | string, file: string, property?: string, onProgress?: (done: number, total: number) => void): Promise<Trace> {
    const p = typeof path === 'string' ? Path.parse(path, c.ix.threadNames.length) : path;
    return replay(await this.replayer(), c, [...p.moves], file, property, onProgress);
  }

  /** The search instance, for drivers that run a part of a search themselves (shards, swarm members). */
  searchInstance(): Promise<FdraceExports> {
    return this.searcher();
  }

  /** The replay instance, for report code that replays many paths itself. */
  replayInstance(): Promise<FdraceExports> {
    return this.replayer();
  }
}
