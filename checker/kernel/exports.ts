// The Wasm module's exports (kernel: k*, engine: e*). Numbers cross the boundary as JS numbers; u32 results come
// back signed, hence the `>>> 0` at call sites that read ids.

import { Report } from '../../model/abi.ts';

export interface FdraceExports {
  memory: WebAssembly.Memory;
  _start(): void;
  // kernel (model/index.ts)
  kConfigure(): number;
  kStateSize(): number;
  kBuildInitial(dst: number): number;
  kStep(src: number, dst: number, thread: number, fault: number): number;
  kSawFaultPoint(): number;
  kLastLabel(): number;
  kMemReport(field: number): number;
  kBlockedOn(): number;
  kFaultsUsed(s: number): number;
  kFaultBudget(): number;
  kThreadDone(s: number, t: number): number;
  kAllDone(s: number): number;
  kCheck(s: number): number;
  kViolObj(): number;
  kExpectCount(): number;
  kExpectModality(k: number): number;
  kEvalExpect(s: number, k: number): number;
  kLockOwner(s: number, id: number): number;
  kLayout(field: number): number;
  kIsFatal(code: number): number;
  kCheckMask(s: number): number;
  kViolObjOf(v: number): number;
  kStepReads(): bigint;
  kStepWrites(): bigint;
  kStepBeyondLocks(): number;
  // engine (checker/wasm/engine.ts)
  eInit(maxMemoryBytes: number): number;
  eRun(budget: number): number;
  eCount(): number;
  eHead(): number;
  eTransitions(): number;
  eTerminals(): number;
  eMaxDepth(): number;
  eSometimes(): number;
  eMemBytes(): number;
  eStateBytes(): number;
  eReportCount(): number;
  eReport(k: number, field: number): number;
  eParent(id: number): number;
  eMove(id: number): number;
  eStateAddr(id: number): number;
  eConfigAddr(): number;
  eScratch(k: number): number;
  // search engine (checker/wasm/engine.ts): u64 statistics are returned as f64
  eSetup(
    storage: number,
    strategy: number,
    por: number,
    sleep: number,
    symmetry: number,
    hashes: number,
    maxDepth: number,
    bitsLog2: number,
    maxPreemptions: number,
    checkBounds: number,
    maxStates: number,
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
  eCollapseCount(kind: number): number;
  eSetCollapseSlots(log2: number): void;
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
  eSetTransactions(mode: number): void;
  eSetDpor(mode: number): void;
  eDporStat(k: number): number;
  eMoverCheck(field: number): number;
  eDiscipline(field: number): number;
  eTxReplayStart(): number;
  eTxReplayMove(move: number): number;
  eTxLog(): number;
  ePartSetup(index: number, count: number, outBytes: number, replies: number): number;
  ePartOutbox(dest: number): number;
  ePartOutboxBytes(dest: number): number;
  ePartOutboxClear(dest: number): void;
  ePartInbox(): number;
  ePartInboxCap(): number;
  ePartReceive(bytes: number): number;
  ePartReplies(dest: number): number;
  ePartReplyCount(dest: number): number;
  ePartRepliesClear(dest: number): void;
  ePartRest(n: number): number;
  eDepthOf(id: number): number;
}

export const R_INVARIANT = Report.Invariant;
export const R_EXPECT = Report.Expect;
export const R_DEADLOCK = Report.Deadlock;

/** Instantiate a fresh kernel+engine instance from compiled module bytes or a module. */
export async function instantiate(module: WebAssembly.Module): Promise<FdraceExports> {
  const instance = await WebAssembly.instantiate(module, {
    env: {
      abort(_msg: number, _file: number, line: number, col: number): never {
        throw new Error(`fdrace kernel aborted at ${line}:${col} (internal error)`);
      },
    },
  });
  const x = instance.exports as unknown as FdraceExports;
  x._start();
  return x;
}
