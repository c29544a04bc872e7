// The explorer's hot loops, compiled together with the kernel into one Wasm module (plain and threaded builds of
// the same source). The TypeScript drivers (checker/search/) call these exports in batches and own everything
// else: limits, progress, workers, reports, paths. The kernel is used only through its interface
// (model/index.ts): states are opaque bytes here.
//
//   config.ts   the engine's options (storage, strategy, reductions) and sizes
//   shared.ts   control block, atomics, allocator      store.ts    chunked arrays
//   hash.ts     state hashing                          visited.ts  full / fingerprint / bitstate visited sets
//   judge.ts    invariants, expectations, reports      expand.ts   successors, sleep sets, symmetry
//   por.ts      ample sets (partial-order reduction)   bfs.ts dfs.ts walk.ts pb.ts   the strategies

import { Addr } from '../../model/abi';
import {
  kBoundsInit, kBuildInitial, kDiscipline, kEnableGates, kLocksetTest, kResetDiscipline, kCanonicalize, kConfigure, kExpectCount, kExpectModality, kFaultBudget, kNamedThreads,
  kCheckScratch, kCheckScratchBytes,
  kPermutation, kPropsInit, kSearchAttach, kStateSize, kStep, kSymBytes, kSymInit,
} from '../../model/index';
import { Modality } from '../../model/codes';
import { MAX_THREADS, SCRATCH } from '../../model/layout';
import {
  BOUNDS_AREA, CTRL, HEAP_START, PROPS_AREA, REPORTS, SYM_AREA, X_AMPLE, X_BOUNDERR, X_BOUNDW, X_CHUNKS_LOG,
  X_CHUNKS_QA, X_CHUNKS_QB, X_CHUNKS_RA, X_CHUNKS_RB, X_CHUNKS_REC, X_CHUNKS_TERM, X_COUNT, X_DEAD, X_DEPTHCUT,
  X_FULLEXP, X_LEVEL, X_MAX, X_MAXDEPTH, X_MAXSTATES, X_NEXTN, X_NREPORTS, X_NTERM, X_SLEPT, X_SOMETIMES,
  X_LE, X_STEPW, X_STOP, X_TERMINALS, X_TOP, X_TRANSITIONS, X_USED, X_WORKERS, alloc, ld32, ld64, st32, usedBytes,
} from './shared';
import * as C from './config';
import { arrInit } from './store';
import { collapseAttach, collapseBytes, collapseCount, collapseInit, vecBytes } from './collapse';
import { R_DEPTH, R_MOVE, R_PARENT, NONE, buildInitial, flushUsed, recAddr, recState, useIdBlocks, visitedBytes, visitedCap, visitedCreate, visitedGrow, visitedReload } from './visited';
import { buffersBytes, setBuffers, spare, spareObjs } from './expand';
import {
  RUN_DONE, RUN_LEVEL_DONE, bfsNextLevel, bfsStart, bfsWork, consumed, insertInitial, levelRemaining, logGet,
} from './bfs';
import { dfsDepth, dfsMove, dfsPendingMove, dfsRun, dfsStart } from './dfs';
import { dporCuts, dporRaces, dporTraces } from './dpor';
import { walkBuffers, walkLength, walkMove, walkRun } from './walk';
import { boundCut, pbBound, pbQueued, pbRun, pbStart } from './pb';
import { judge, jExpect, jFatal, jMask, reportJudged, setTermScratch, terminalAddr } from './judge';
import { FL_BAD } from './visited';
import { insertFull, insertHash } from './visited';
import { hash64 } from './hash';
import { SEED } from './bfs';
import {
  inbox, inboxCap, outbox, outboxBytes, outboxClear, partReceive, partRest, partSetup, replies, replyCount, repliesClear,
} from './partition';
import { forgetHashBuffer, hashBuffer, shardCut, stateHashes } from './shard';
import { MAX_STEPS, moverChecks, moverDetail, moverError, moverOther, moverPairs, forgetBounds, resetMoverCheck, txRun, txSteps } from './transaction';

export * from '../../model/index';
export { RUN_DONE, RUN_MORE, RUN_OUT_OF_MEMORY, RUN_CAPACITY, RUN_LEVEL_DONE, RUN_GROW, RUN_BOUND, RUN_LIMIT, RUN_STOPPED, RUN_FOUND } from './bfs';
export { R_INVARIANT, R_EXPECT, R_DEADLOCK } from './judge';

let setupPending = false;

/** Choose storage, strategy and reductions for the next eInit (otherwise eInit uses full-storage BFS, no
 *  reduction: what replays and older callers expect). */
export function eSetup(
  storage: i32, strategy: i32, por: i32, sleep: i32, symmetry: i32, hashes: i32, maxDepth: i32, bitsLog2: i32,
  maxPreemptions: i32, checkBounds: i32, maxStates: f64,
): void {
  C.writeChoices(storage, strategy, por != 0, sleep != 0, symmetry != 0, hashes, maxDepth, bitsLog2, maxPreemptions, checkBounds != 0);
  store<u32>(CTRL + X_MAXSTATES, maxStates > 0 && maxStates < 4294967295.0 ? <u32>maxStates : 0);
  setupPending = true;
}

let walkDepth: u32 = 0;

/** Reset the engine for the configuration block the host wrote at eConfigAddr(). Returns 0 or a negative error:
 *  -1 bad configuration, -2 out of memory, -3 the kernel could not build the initial state. */
export function eInit(maxMemoryBytes: f64): i32 {
  const maxStates = load<u32>(CTRL + X_MAXSTATES);
  const setupPendingMax = setupPending;
  if (!setupPending) C.writeChoices(C.STORAGE_FULL, C.STRATEGY_BFS, false, false, false, 3, 65535, 0, 255, false);
  setupPending = false;
  pathBuffer = 0;
  txLog = 0;
  forgetHashBuffer(); // allocated from the heap that this reset frees
  if (kConfigure() < 0) return -1;
  const nThreads = <i32>load<u8>(16384 + 4);
  if (nThreads > MAX_THREADS) return -1;
  const sb = kStateSize();
  if (sb > 4096) return -1;
  // Reset the control block except the configuration written by eSetup.
  memory.fill(CTRL, 0, 512);
  memory.fill(CTRL + 2048, 0, 256);
  memory.fill(CTRL + X_WORKERS, 0, 64);
  memory.fill(REPORTS, 0, 1024);
  store<u32>(CTRL + X_MAXSTATES, setupPendingMax ? maxStates : 0);
  store<u32>(CTRL + X_TOP, <u32>HEAP_START);
  store<u32>(CTRL + X_MAX, maxMemoryBytes > 0 && maxMemoryBytes < 4293918720.0 ? <u32>maxMemoryBytes : 0);
  let npred = 0;
  const nexp = kExpectCount();
  for (let k = 0; k < nexp; k++) if (kExpectModality(k) != Modality.AtEnd) npred++;
  C.loadConfig(); // the host's choices
  // Transactions are a reduction of the exhaustive strategies; random walks and pb run every kernel step.
  if (C.strategy != C.STRATEGY_BFS && C.strategy != C.STRATEGY_DFS) C.setTransactions(0);
  // DPOR is a depth-first search of its own (dpor.ts); it keeps thread identities along the stack, so no symmetry.
  if (C.strategy != C.STRATEGY_DFS || C.transactions) C.setDpor(0);
  resetMoverCheck();
  kResetDiscipline();
  const wantSym = C.symmetry;
  const wantSleep = C.sleepSets;
  const wantPor = C.por;
  C.writeSizes(sb, nThreads, npred, nexp, kFaultBudget(), false, false, false);
  C.loadConfig();
  // Reductions: what the options asked for, as far as the strategy and storage allow.
  const porOn = (wantPor || C.dpor != 0) && (C.strategy == C.STRATEGY_BFS || C.strategy == C.STRATEGY_DFS);
  const sleepOn = porOn && wantSleep && (C.storage == C.STORAGE_FULL || C.storage == C.STORAGE_COLLAPSE);
  kBoundsInit(BOUNDS_AREA);
  lockset();
  kPropsInit(PROPS_AREA);
  let symOn = wantSym && C.strategy != C.STRATEGY_RANDOM && C.strategy != C.STRATEGY_PB && C.dpor == 0;
  if ((symOn || C.collectTerminals == 2) && kSymInit(SYM_AREA, kNamedThreads()) == 0) symOn = false;
  C.writeSizes(sb, nThreads, npred, nexp, kFaultBudget(), symOn, sleepOn, porOn);
  C.loadConfig();
  const buf = alloc(buffersBytes());
  const ts = alloc(<usize>sb);
  if (buf == 0 || ts == 0) return -2;
  setBuffers(buf);
  setTermScratch(ts);
  store<u32>(CTRL + X_WORKERS, <u32>buf);
  if (!arrInit(X_CHUNKS_REC, 1 << 16) || !arrInit(X_CHUNKS_QA, 1 << 16) || !arrInit(X_CHUNKS_QB, 1 << 16)) return -2;
  if (!arrInit(X_CHUNKS_LOG, 1 << 12) || !arrInit(X_CHUNKS_RA, 1 << 14) || !arrInit(X_CHUNKS_RB, 1 << 14)) return -2;
  if (!arrInit(X_CHUNKS_TERM, 1 << 12)) return -2;
  const withBitmap = porOn && C.strategy == C.STRATEGY_BFS && C.storage == C.STORAGE_FINGERPRINT;
  const storageNow = C.strategy == C.STRATEGY_PB ? C.STORAGE_FULL : C.storage;
  if (storageNow != C.storage) {
    C.setCfg(0, storageNow);
    C.loadConfig();
  }
  if (C.storage == C.STORAGE_COLLAPSE) {
    if (C.strategy != C.STRATEGY_BFS && C.strategy != C.STRATEGY_DFS) return -1;
    if (!collapseInit()) return -2;
    C.setCollapse(vecBytes);
    C.loadConfig();
  }
  if (!visitedCreate(4096, withBitmap)) return -2;
  const init = spare;
  if (C.strategy == C.STRATEGY_BFS) {
    if (!insertInitial(init, C.storage == C.STORAGE_FULL)) return kBuildInitial(init) != 0 ? -3 : -2;
    bfsStart();
    return 0;
  }
  if (C.strategy == C.STRATEGY_RANDOM) {
    walkDepth = <u32>C.maxDepth;
    return walkBuffers(walkDepth) ? 0 : -2;
  }
  if (!buildInitial(init)) return -3;
  if (C.strategy == C.STRATEGY_PB) {
    return pbStart(init) ? 0 : -2;
  }
  // DFS
  if (judge(init, spareObjs())) {
    reportJudged(jMask, spareObjs(), jExpect, 0, 0);
    if (jFatal) {
      if (C.symmetry) kCanonicalize(init);
      if (C.storage == C.STORAGE_FULL) insertFull(init, hash64(init, C.stateBytes, SEED), NONE, 0xff, 0xff, 0, FL_BAD << 16);
      else {
        insertHash(hash64(init, C.stateBytes, SEED));
        store<u32>(CTRL + X_COUNT, ld32(CTRL + X_COUNT) + 1);
      }
      return 0;
    }
  }
  if (C.symmetry) kCanonicalize(init);
  return dfsStart(init) ? 0 : -2;
}

/** The lockset rules of this instance's transaction reduction (model/lockset.ts): the frozen slots and the
 *  reference gate when it is on, and the test-only switches. */
function lockset(): void {
  kEnableGates(C.transactions);
  if (C.locksetTest != 0) kLocksetTest(C.locksetTest);
}

/** Attach this instance (a worker) to an engine that another instance initialised on the shared memory. */
export function eAttach(worker: i32): i32 {
  if (kConfigure() < 0) return -1;
  C.loadConfig();
  const scratch = alloc(<usize>kSymBytes());
  const buf = alloc(buffersBytes());
  const ts = alloc(C.stateBytes);
  const checks = alloc(<usize>kCheckScratchBytes());
  if (buf == 0 || scratch == 0 || ts == 0 || checks == 0) return -2;
  setTermScratch(ts);
  kCheckScratch(checks);
  kSearchAttach(BOUNDS_AREA, PROPS_AREA, SYM_AREA, scratch);
  lockset(); // as eInit: each instance classifies its own transactions
  setBuffers(buf);
  if (C.collapse && !collapseAttach()) return -2;
  store<u32>(CTRL + X_WORKERS + <usize>(worker << 2), <u32>buf);
  useIdBlocks();
  visitedReload();
  return 0;
}

// ---- running ------------------------------------------------------------------------------------------------

/** BFS, single-threaded: expand up to `budget` states, moving to the next level as needed. */
export function eRun(budget: i32): i32 {
  while (true) {
    const rc = bfsWork(budget);
    if (rc != RUN_LEVEL_DONE) return rc;
    if (bfsNextLevel() == 0) return RUN_DONE;
    budget -= consumed > 0 ? consumed : 1;
    if (budget <= 0) return 1;
  }
  return RUN_DONE;
}
/** BFS, one worker's share of the current level (threaded build). RUN_LEVEL_DONE when the level is handed out. */
export function eBfsWork(budget: i32): i32 {
  return bfsWork(budget);
}
/** BFS barrier: the next level becomes current. 1 if it has work. */
export function eBfsNextLevel(): i32 {
  return bfsNextLevel();
}
/** Grow the visited set (while no worker inserts). 0 when out of memory. */
export function eGrow(): i32 {
  flushUsed();
  visitedReload();
  return visitedGrow() ? 1 : 0;
}
export function eStop(v: i32): void {
  st32(CTRL + X_STOP, v);
}
export function eDfsRun(budget: i32): i32 {
  return dfsRun(budget);
}
export function ePbRun(budget: i32): i32 {
  return pbRun(budget);
}
/** One random walk with the 64-bit seed (hi, lo). 1 if it found a new violation (path: eWalkLength/eWalkMove), 2 if the fingerprint set could not grow. */
export function eWalk(seedHi: u32, seedLo: u32): i32 {
  visitedReload();
  return walkRun(((<u64>seedHi) << 32) | <u64>seedLo, walkDepth);
}
export function eWalkLength(): u32 {
  return walkLength();
}
export function eWalkMove(i: u32): u32 {
  return walkMove(i);
}
export function eDfsDepth(): u32 {
  return dfsDepth();
}
export function eDfsMove(i: u32): u32 {
  return dfsMove(i);
}
export function eDfsPendingMove(): u32 {
  return dfsPendingMove();
}

// ---- statistics ---------------------------------------------------------------------------------------------

/** States stored (distinct states seen). */
export function eCount(): u32 {
  return ld32(CTRL + X_COUNT) - ld32(CTRL + X_DEAD);
}
/** States handed out for expansion in the current level (compatibility: eCount() - eHead() is the frontier). */
export function eHead(): u32 {
  return eCount() - eFrontier();
}
export function eFrontier(): u32 {
  if (C.strategy == C.STRATEGY_BFS) return levelRemaining() + (C.storage == C.STORAGE_FULL ? ld32(CTRL + X_COUNT) - ld32(CTRL + X_LE) : ld32(CTRL + X_NEXTN));
  if (C.strategy == C.STRATEGY_DFS) return dfsDepth();
  if (C.strategy == C.STRATEGY_PB) return pbQueued();
  return 0;
}
export function eLevel(): u32 {
  return ld32(CTRL + X_LEVEL);
}
export function eTransitions(): f64 {
  return <f64>ld64(CTRL + X_TRANSITIONS);
}
export function eTerminals(): u32 {
  return ld32(CTRL + X_TERMINALS);
}
export function eMaxDepth(): i32 {
  return <i32>ld32(CTRL + X_MAXDEPTH);
}
export function eSometimes(): u32 {
  return ld32(CTRL + X_SOMETIMES);
}
export function eMemBytes(): f64 {
  return <f64>usedBytes();
}
export function eStateBytes(): i32 {
  return <i32>C.stateBytes;
}
export function eVisitedBytes(): f64 {
  return <f64>visitedBytes();
}
/** Bytes that hold the visited states: the table, plus the records in full storage. */
export function eStoreBytes(): f64 {
  let b = <f64>visitedBytes();
  if (C.storage == C.STORAGE_FULL) b += <f64>(ld32(CTRL + X_COUNT)) * <f64>C.recSize;
  if (C.collapse) b += collapseBytes();
  return b;
}
export function eVisitedSlots(): f64 {
  return <f64>visitedCap();
}
export function eVisitedUsed(): u32 {
  flushUsed();
  return ld32(CTRL + X_USED);
}
export function eAmple(): f64 {
  return <f64>ld64(CTRL + X_AMPLE);
}
export function eFullExpansions(): u32 {
  return ld32(CTRL + X_FULLEXP);
}
export function eSlept(): f64 {
  return <f64>ld64(CTRL + X_SLEPT);
}
export function eDepthCut(): i32 {
  return <i32>ld32(CTRL + X_DEPTHCUT);
}
export function ePbBound(): u32 {
  return pbBound();
}
export function ePbCut(): i32 {
  return boundCut ? 1 : 0;
}
/** The effective reductions: bit 0 partial-order reduction, 1 sleep sets, 2 symmetry, 3 transactions, 4 mover
 *  checks. */
export function eReductions(): i32 {
  return (C.por ? 1 : 0) | (C.sleepSets ? 2 : 0) | (C.symmetry ? 4 : 0) | (C.transactions ? 8 : 0) | (C.checkMovers ? 16 : 0) | (C.dpor << 5);
}
/** Transaction reduction for the next eInit (after eSetup): bit 0 on, bit 1 check every mover (--check-movers),
 *  bit 2 (tests of the mover check only) classify every step as a both-mover, which is wrong, bit 3 (tests of the
 *  lockset discipline check only) declare every field group locked even where the variant breaks it by design. */
export function eSetTransactions(mode: i32): void {
  C.setTransactions(<u32>mode);
}
/** Dynamic partial-order reduction of dfs for the next eInit (after eSetup): 0 off, 1 stateless, 2 stateful. */
export function eSetDpor(mode: i32): void {
  C.setDpor(<u32>mode);
}
/** DPOR statistics of the last search: 0 maximal paths explored, 1 races found, 2 cuts (states not expanded whose
 *  future was raced through the threads' footprint bounds). */
export function eDporStat(k: i32): f64 {
  return <f64>(k == 0 ? dporTraces() : k == 1 ? dporRaces() : dporCuts());
}
/** --check-movers: 0 the first wrong classification (thread + 1 | class << 4 | label << 8; 0 none), 1 the other
 *  thread's step it did not commute with (thread + 1 | fault << 4 | label << 8), 2 mover steps checked, 3 pairs,
 *  4 why (checker/wasm/transaction.ts moverDetail). */
export function eMoverCheck(field: i32): u32 {
  if (field == 0) return moverError;
  if (field == 1) return moverOther;
  if (field == 2) return moverChecks;
  if (field == 3) return moverPairs;
  return moverDetail;
}
/** The first access of a reduced search that broke a declared lockset discipline (model/lockset.ts): 0 thread + 1
 *  | group << 4 | label << 8 (0: none), 1 the lock it lacked. Only meaningful with transactions on. */
export function eDiscipline(field: i32): u32 {
  return C.transactions ? kDiscipline(field) : 0;
}
export function eStorage(): i32 {
  return C.collapse ? C.STORAGE_COLLAPSE : C.storage;
}
/** Collapse storage: distinct components stored of each kind (0 tables, 1 files, 2 epolls, 3 threads). */
export function eCollapseCount(kind: i32): u32 {
  return C.collapse ? collapseCount(kind) : 0;
}
/** A step outside its thread's footprint bound: thread + 1 | label << 8 (0: none); then the bits. */
export function eBoundError(): u32 {
  return ld32(CTRL + X_BOUNDERR);
}
/** which: 0 the bound, 1 the step's footprint; half: 0 low 32 bits, 1 high. */
export function eBoundBits(which: i32, half: i32): u32 {
  const v = ld64(CTRL + (which == 0 ? X_BOUNDW : X_STEPW));
  return half == 0 ? <u32>v : <u32>(v >> 32);
}
export function eNext(): u32 {
  return ld32(CTRL + X_NEXTN);
}

// ---- reports and paths --------------------------------------------------------------------------------------

export function eReportCount(): i32 {
  return <i32>ld32(CTRL + X_NREPORTS);
}
/** field: 0 kind, 1 code, 2 obj, 3 state (record id or sequence number), 4 extra (pb: preemptions) */
export function eReport(k: i32, field: i32): u32 {
  const p = REPORTS + <usize>(k * 16);
  if (field == 0) return load<u8>(p);
  if (field == 1) return load<u8>(p + 1);
  if (field == 2) return load<u8>(p + 2);
  if (field == 3) return load<u32>(p + 4);
  return load<u32>(p + 8);
}
/** Parent of state `seq` (0xFFFFFFFF for the initial state, 0xFFFFFFFE if unknown). */
export function eParent(seq: u32): u32 {
  if (C.storage == C.STORAGE_FULL) return load<u32>(recAddr(seq) + R_PARENT);
  const e = logGet(seq);
  if (e >= 0xfffffffe) return e;
  return e >> 4;
}
export function eMove(seq: u32): u32 {
  if (C.storage == C.STORAGE_FULL) return load<u8>(recAddr(seq) + R_MOVE);
  return logGet(seq) & 15;
}
export function eStateAddr(id: u32): usize {
  return recState(id);
}

/** Symmetry: rewrite n moves at `buf` (thread numbers of canonical states) into the real threads' numbers, by
 *  replaying them from the initial state with canonicalisation. Returns 0, or the step that could not be taken. */
export function eTranslate(n: i32, buf: usize): i32 {
  if (!C.symmetry) return 0;
  const a = SCRATCH + 4096;
  const b = SCRATCH + 8192;
  const perm = SCRATCH + 12288; // perm[n]: real thread of canonical thread n
  const tmp = SCRATCH + 12288 + 16;
  if (kBuildInitial(a) != 0) return -1;
  for (let t = 0; t < 8; t++) store<u8>(perm + <usize>t, <u8>t);
  if (kCanonicalize(a)) for (let t = 0; t < C.nThreadsCfg; t++) store<u8>(perm + <usize>t, <u8>kPermutation(t));
  for (let i = 0; i < n; i++) {
    const mv = <i32>load<u8>(buf + <usize>i);
    const t = mv >> 1;
    forgetBounds();
    if (txRun(a, b, t, (mv & 1) != 0, 0) != 0) return i + 1;
    store<u8>(buf + <usize>i, <u8>((<i32>load<u8>(perm + <usize>t) << 1) | (mv & 1)));
    if (kCanonicalize(b)) {
      for (let k = 0; k < C.nThreadsCfg; k++) store<u8>(tmp + <usize>k, load<u8>(perm + <usize>kPermutation(k)));
      memory.copy(perm, tmp, 8);
    }
    memory.copy(a, b, <usize>C.stateBytes);
  }
  return 0;
}
/** Re-expansion of a path of transactions into kernel steps: eTxReplayStart puts the initial state in scratch,
 *  each eTxReplayMove runs one move (real thread numbers) and returns how many kernel steps it took (their moves
 *  are at eTxLog()), or 0 if the move cannot be taken. */
let txLog: usize = 0;
export function eTxReplayStart(): i32 {
  if (txLog == 0) txLog = alloc(<usize>MAX_STEPS + 8);
  if (txLog == 0) return -2;
  return kBuildInitial(SCRATCH + 4096) != 0 ? -1 : 0;
}
export function eTxReplayMove(mv: i32): i32 {
  const a = SCRATCH + 4096;
  const b = SCRATCH + 8192;
  forgetBounds();
  if (txRun(a, b, mv >> 1, (mv & 1) != 0, txLog) != 0) return 0;
  memory.copy(a, b, <usize>C.stateBytes);
  return txSteps;
}
export function eTxLog(): usize {
  return txLog;
}
/** A buffer the host may use for eTranslate (n <= 65536), allocated on first use. 0 if out of memory. */
let pathBuffer: usize = 0;
export function ePathBuffer(): usize {
  if (pathBuffer == 0) pathBuffer = alloc(65536 + 64);
  return pathBuffer;
}

/** Where the host writes the configuration block. */
export function eConfigAddr(): usize {
  return <usize>Addr.Cfg;
}
/** Scratch area for replay (two states). */
export function eScratch(k: i32): usize {
  return SCRATCH + <usize>(k + 1) * <usize>Addr.ScratchState;
}
/** Terminal states' hashes, collected when asked (tests: reductions must keep the set of terminal states). */
export function eTerminalCount(): u32 {
  return ld32(CTRL + X_NTERM);
}
export function eTerminalHash(i: u32, half: i32): u32 {
  const p = terminalAddr(i);
  return half == 0 ? load<u32>(p) : load<u32>(p + 4);
}
/** Collect terminal states' hashes in the next eInit: 0 no, 1 as stored, 2 canonicalised (symmetry). */
export function eCollectTerminals(mode: i32): void {
  C.setCollectTerminals(mode);
}

// ---- sharding and swarm runs (checker/wasm/shard.ts, checker/search/shard.ts, checker/search/swarm.ts) --------

/** Between BFS levels: keep only this shard's part of the next level. Returns the work kept. */
export function eShardCut(index: u32, count: u32): u32 {
  return shardCut(index, count);
}
/** Where eStateHashes writes (u64 values); 0 if out of memory. */
export function eHashBuffer(): usize {
  return hashBuffer();
}
/** The next batch of stored states' hashes (restart != 0: from the first). Returns how many; 0 at the end. */
export function eStateHashes(restart: i32): u32 {
  return stateHashes(restart != 0);
}
/** Collapse storage: start the component tables at 2^log2 slots (4..24) in the next eInit (after eSetup). */
export function eSetCollapseSlots(log2: u32): void {
  C.setCollapseSlots(log2 < 4 ? 4 : log2 > 24 ? 24 : log2);
}
/** Bitstate: choose another family of hash functions for the next eInit (after eSetup). */
export function eSetBitSalt(salt: u32): void {
  C.setBitSalt(salt);
}

// ---- partitioned workers (partition.ts) ------------------------------------------------------------------------

export function ePartSetup(index: u32, count: u32, outBytes: u32, replies: u32): u32 {
  return partSetup(index, count, outBytes, replies);
}
export function ePartOutbox(dest: u32): usize {
  return outbox(dest);
}
export function ePartOutboxBytes(dest: u32): u32 {
  return outboxBytes(dest);
}
export function ePartOutboxClear(dest: u32): void {
  outboxClear(dest);
}
export function ePartInbox(): usize {
  return inbox();
}
export function ePartInboxCap(): u32 {
  return inboxCap();
}
export function ePartReceive(bytes: u32): i32 {
  return partReceive(bytes);
}
export function ePartReplies(dest: u32): usize {
  return replies(dest);
}
export function ePartReplyCount(dest: u32): u32 {
  return replyCount(dest);
}
export function ePartRepliesClear(dest: u32): void {
  repliesClear(dest);
}
export function ePartRest(n: u32): i32 {
  return partRest(n);
}
/** Depth of record id (full storage). */
export function eDepthOf(id: u32): u32 {
  return <u32>load<u16>(recAddr(id) + R_DEPTH);
}
