// The search engine's codes (model/abi.ts) as the drivers name them. The engine's exports themselves are declared
// with the kernel's in checker/kernel/exports.ts: one typed view of the whole module.

import { Run, StorageCode, StrategyCode } from '../../model/abi.ts';
import type { FdraceExports } from '../kernel/exports.ts';

/** The engine's exports are part of the module's one interface (checker/kernel/exports.ts). */
export type EngineExports = FdraceExports;

// The codes themselves are model/abi.ts's, shared with the engine.
export const STORAGE = {
  full: StorageCode.Full,
  collapse: StorageCode.Collapse,
  fingerprint: StorageCode.Fingerprint,
  bitstate: StorageCode.Bitstate,
} as const;
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

/** Kept so call sites read `engine(x).eRun(...)` where they drive the search rather than the kernel; no cast. */
export function engine(x: FdraceExports): EngineExports {
  return x;
}

/** An instance's lockset-discipline and mover-check findings, eDiscipline(0..1) then eMoverCheck(0..4): what a
 *  worker hands the coordinator for collect.ts workerMoverError. */
export function reductionCodes(e: EngineExports): number[] {
  return [e.eDiscipline(0), e.eDiscipline(1), e.eMoverCheck(0), e.eMoverCheck(1), e.eMoverCheck(2), e.eMoverCheck(3), e.eMoverCheck(4)];
}
