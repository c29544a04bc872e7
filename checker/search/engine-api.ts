// The search engine's Wasm exports beyond the kernel interface (checker/kernel/exports.ts declares the original
// set; the engine in checker/wasm/engine.ts adds these). Numbers cross as JS numbers: u32 results come back
// signed (use >>> 0), u64 statistics are returned as f64 by the engine.

import type { FdraceExports } from '../kernel/exports.ts';

export interface EngineExports extends FdraceExports {
  eSetup(
    storage: number, strategy: number, por: number, sleep: number, symmetry: number, hashes: number, maxDepth: number,
    bitsLog2: number, maxPreemptions: number, checkBounds: number, maxStates: number,
  ): void;
  eCollectTerminals(mode: number): void;
  eAttach(worker: number): number;
  eBfsWork(budget: number): number;
  eBfsNextLevel(): number;
  eGrow(): number;
  eStop(v: number): void;
  eDfsRun(budget: number): number;
  ePbRun(budget: number): number;
  eWalk(seedHi: number, seedLo: number): number;
  eWalkLength(): number;
  eWalkMove(i: number): number;
  eDfsDepth(): number;
  eDfsMove(i: number): number;
  eDfsPendingMove(): number;
  eFrontier(): number;
  eLevel(): number;
  eVisitedBytes(): number;
  eVisitedSlots(): number;
  eStoreBytes(): number;
  eVisitedUsed(): number;
  eAmple(): number;
  eFullExpansions(): number;
  eSlept(): number;
  eDepthCut(): number;
  ePbBound(): number;
  ePbCut(): number;
  eReductions(): number;
  eStorage(): number;
  eBoundError(): number;
  eBoundBits(which: number, half: number): number;
  eNext(): number;
  eTranslate(n: number, buf: number): number;
  ePathBuffer(): number;
  eTerminalCount(): number;
  eTerminalHash(i: number, half: number): number;
  eShardCut(index: number, count: number): number;
  eHashBuffer(): number;
  eStateHashes(restart: number): number;
  eSetBitSalt(salt: number): void;
}

export const STORAGE = { full: 0, fingerprint: 1, bitstate: 2 } as const;
export const STRATEGY = { bfs: 0, dfs: 1, random: 2, pb: 3 } as const;

export const RUN = {
  done: 0,
  more: 1,
  outOfMemory: 2,
  capacity: 3,
  levelDone: 4,
  grow: 5,
  bound: 6,
  limit: 7,
  stopped: 8,
  found: 9,
} as const;

export function engine(x: FdraceExports): EngineExports {
  return x as EngineExports;
}
