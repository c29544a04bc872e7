// The one interface every search driver implements (Stateright's "one file per strategy" behind one trait): a
// strategy is a stepped search that yields between batches, so every front end can drain it synchronously (tests),
// or with event-loop turns (the CLI: Ctrl-C, pipes, progress), or in a worker. Parallel breadth-first search is not
// another strategy but another executor of `bfs` (N worker threads on one shared memory, same levels, same
// verdicts): checker/search/run-parallel.ts, which Node front ends inject into the Session.

import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { bfsSteps } from './bfs.ts';
import { dfsSteps } from './dfs.ts';
import type { Steps } from './loop.ts';
import type { Limits, SearchOptions, StorageMode, Strategy } from './options.ts';
import { preemptionBoundedSteps } from './pb.ts';
import { randomWalkSteps } from './random.ts';
import type { SearchResult } from './result.ts';

export interface SearchStrategy {
  readonly name: Strategy;
  /** One line for --help and docs. */
  readonly summary: string;
  /** Whether partial-order and symmetry reduction apply. */
  readonly reduces: boolean;
  /** Storage modes it can run with; the first is what it uses when asked for another. */
  readonly storages: readonly StorageMode[];
  /** Options that only this strategy reads (the CLI refuses them with another). */
  readonly ownOptions: readonly (keyof SearchOptions)[];
  /** The search, yielding between batches. */
  steps(x: FdraceExports, c: Compiled, limits: Limits, file: string, options: SearchOptions): Steps<SearchResult>;
}

export const STRATEGIES: Readonly<Record<Strategy, SearchStrategy>> = {
  bfs: {
    name: 'bfs',
    summary: 'breadth-first (the default): shortest counterexamples',
    reduces: true,
    storages: ['collapse', 'full', 'fingerprint', 'bitstate'],
    ownOptions: [],
    steps: bfsSteps,
  },
  dfs: {
    name: 'dfs',
    summary: 'depth-first: least memory; partial-order reduction on by default',
    reduces: true,
    storages: ['collapse', 'full', 'fingerprint', 'bitstate'],
    ownOptions: [],
    steps: dfsSteps,
  },
  random: {
    name: 'random',
    summary: 'seeded random walks: each walk reproducible by its seed; never a proof',
    reduces: false,
    storages: ['fingerprint', 'bitstate'],
    ownOptions: ['seed', 'walks', 'walkDepth'],
    steps: randomWalkSteps,
  },
  pb: {
    name: 'pb',
    summary: 'preemption-bounded: counterexamples with the fewest preemptions first',
    reduces: false,
    storages: ['full'],
    ownOptions: ['maxPreemptions'],
    steps: preemptionBoundedSteps,
  },
};

export function strategyFor(o: SearchOptions): SearchStrategy {
  return STRATEGIES[o.strategy ?? 'bfs'];
}
