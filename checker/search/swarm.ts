// Swarm verification (Holzmann, Joshi and Groce, "Swarm verification techniques", IEEE TSE 37(6), 2011): instead of
// one exhaustive search that does not fit, K small searches that differ in search order, reductions, seeds and
// bitstate hash functions, each bounded, each a separate job. Different members miss different parts of the state
// space, so together they find more than one search of the same total size. Nothing here is a proof: a member
// that finds nothing is `incomplete`, never `pass`, and so is the merge of all members without a violation.

import type { SearchOptions } from './options.ts';

export interface SwarmSpec {
  index: number;
  count: number;
}

export const MAX_SWARM = 10_000;

/** The diversification cycle. Depth-first and breadth-first members use bitstate storage (Holzmann's swarm
 *  members are bitstate runs) with a hash family of their own; random members use walks from their own seeds. */
const CYCLE: { strategy: 'dfs' | 'bfs' | 'random'; por: boolean; symmetry: boolean }[] = [
  { strategy: 'dfs', por: true, symmetry: true },
  { strategy: 'random', por: false, symmetry: false },
  { strategy: 'bfs', por: true, symmetry: true },
  { strategy: 'dfs', por: false, symmetry: false },
  { strategy: 'random', por: false, symmetry: false },
  { strategy: 'bfs', por: false, symmetry: true },
];

/** Walks per random member when --walks is not given. */
export const SWARM_WALKS = 200;

/** Member j's options, from the user's base options (seed, walks, walk depth, hashes). */
export function memberOptions(base: SearchOptions, spec: SwarmSpec): { options: SearchOptions; member: string } {
  const j = spec.index;
  const kind = CYCLE[j % CYCLE.length]!;
  const salt = j + 1;
  if (kind.strategy === 'random') {
    const walks = base.walks ?? SWARM_WALKS;
    // Disjoint seed ranges: member j's walks use seeds S + j*walks .. S + (j+1)*walks - 1.
    const seed = (base.seed ?? 0) + j * walks;
    const options: SearchOptions = { strategy: 'random', seed, walks, ...(base.walkDepth !== undefined ? { walkDepth: base.walkDepth } : {}) };
    return { options, member: `random walks, seeds ${seed}..${seed + walks - 1}` };
  }
  const options: SearchOptions = {
    strategy: kind.strategy,
    storage: 'bitstate',
    por: kind.por,
    symmetry: kind.symmetry,
    bitSalt: salt,
    ...(base.hashes !== undefined ? { hashes: base.hashes } : {}),
  };
  const red = [kind.por ? 'partial-order' : '', kind.symmetry ? 'symmetry' : ''].filter(Boolean).join('+') || 'no reduction';
  return { options, member: `${kind.strategy}, bitstate hash family ${salt}, ${red}` };
}

/** "K" with "j": validated member index. */
export function checkSwarm(count: number, index: number | undefined): void {
  if (count < 1 || count > MAX_SWARM) throw new Error(`--swarm must be between 1 and ${MAX_SWARM}, got ${count}`);
  if (index !== undefined && index >= count) throw new Error(`--swarm-index ${index}: members are numbered 0..${count - 1}`);
}
