// The search engine's Wasm exports beyond the kernel interface (checker/kernel/exports.ts declares the original
// set; the engine in checker/wasm/engine.ts adds these). Numbers cross as JS numbers: u32 results come back
// signed (use >>> 0), u64 statistics are returned as f64 by the engine.

import { Run, StorageCode, StrategyCode } from '../../model/abi.ts';
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
}

// The codes themselves are model/abi.ts's, shared with the engine.
export const STORAGE = { full: StorageCode.Full, fingerprint: StorageCode.Fingerprint, bitstate: StorageCode.Bitstate } as const;
export const STRATEGY = { bfs: StrategyCode.Bfs, dfs: StrategyCode.Dfs, random: StrategyCode.Random, pb: StrategyCode.Pb } as const;

export const RUN = {
  done: Run.Done,
  more: Run.More,
  outOfMemory: Run.OutOfMemory,
  capacity: Run.Capacity,
  levelDone: Run.LevelDone,
  grow: Run.Grow,
  bound: Run.Bound,
  limit: Run.Limit,
  stopped: Run.Stopped,
  found: Run.Found,
} as const;

export function engine(x: FdraceExports): EngineExports {
  return x as EngineExports;
}
