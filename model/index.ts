// The kernel's interface to the explorer. States are opaque byte vectors to the explorer: it asks the kernel to
// build the initial state, to run one step of one thread (with or without an injected fault), to check invariants
// and expectations, and — for traces only — to describe the layout so that a state can be decoded.

import { StepStatus } from './codes';
import * as L from './layout';
import * as Fr from './frame';
import { buildInitial } from './init';
import { stepThread, threadDone } from './dispatch';
import { CHECK_SCRATCH_BYTES, checkAll, checkScratch, checkState, violObj, violObjOf } from './invariants';
import { evalExpect, expectModality } from './predicates';
import { ownerOf } from './locks';
import { G_RETURNED } from './atoms';

export function kConfigure(): i32 {
  return L.configure();
}

/** The state vector's size, padded to whole 8-byte words (the padding stays zero) for hashing and comparison. */
export function kStateSize(): i32 {
  return (L.stateSize + 7) & ~7;
}

export function kBuildInitial(dst: usize): i32 {
  return buildInitial(dst);
}

/** Run one step of thread t from state src into dst (dst = copy of src, then mutated). */
export function kStep(src: usize, dst: usize, t: i32, fault: bool): i32 {
  memory.copy(dst, src, <usize>kStateSize());
  L.setState(dst);
  // A non-fatal finding belongs to the state its step produced, not to every state after it.
  const v = <i32>load<u8>(dst + L.G_VIOL);
  if (v != 0 && !Fr.isFatal(v)) {
    store<u16>(dst + L.G_VIOL, 0);
    store<u8>(dst + L.G_VIOL_KIND, 0);
  }
  store<u8>(dst + <usize>G_RETURNED, 0); // the mark of a watched return belongs to the returning step's state
  return stepThread(t, fault);
}

/** Footprint of the last kStep: shared objects read / written (bits in model/frame.ts FP_*). Read these right
 *  after kStep: every other kernel call (checks, expectations) also goes through the accessors and adds to them. */
export function kStepReads(): u64 {
  return Fr.fpReads;
}
export function kStepWrites(): u64 {
  return Fr.fpWrites;
}
/** Whether the last kStep touched anything shared beyond taking or dropping a lock (model/frame.ts). */
export function kStepBeyondLocks(): bool {
  return Fr.fpBeyondLocks;
}
/** Footprint bits the last kStep accessed under the lock its field group's discipline names, and those of them it
 *  wrote (model/lockset.ts). */
export function kStepProtected(): u64 {
  return Fr.fpProtected;
}
export function kStepProtWrites(): u64 {
  return Fr.fpProtWrites;
}
/** The first access that broke a declared lockset discipline: 0 thread + 1 | group << 4 | label << 8 (0: none),
 *  1 the lock it lacked (LockClass << 8 | instance). */
export function kDiscipline(field: i32): u32 {
  return field == 0 ? disciplineStep : disciplineLock;
}
export function kResetDiscipline(): void {
  resetDiscipline();
}
/** Files (bit per file) whose count the last kStep changed under the reference gate (model/lockset.ts). */
export function kStepRefGated(): u32 {
  return Fr.fpRefGated;
}
/** Whether the transaction reduction is on: then frozen-slot reads and gated puts are marked protected
 *  (model/lockset.ts). */
export function kEnableGates(on: bool): void {
  enableGates(on);
}
/** Tests only (after kBoundsInit): 1 declare every lockset group locked, whatever the variant does; 2 leave
 *  close() out of the slot bounds (model/slot_bounds.ts), so that its store breaks them. */
export function kLocksetTest(mode: u32): void {
  if ((mode & 1) != 0) locksetStrict();
  if ((mode & 2) != 0) slotBoundsNarrow();
}

export function kSawFaultPoint(): bool {
  return Fr.sawFaultPoint;
}
/** The last step's bad memory access: 0 kind (Access), 1 object class (MemObj), 2 object index, 3 field
 *  (MemField); all 0 when the step's violation was not a memory access. */
export function kMemReport(field: i32): i32 {
  if (field == 0) return Fr.memKind;
  if (field == 1) return Fr.memObj;
  if (field == 2) return Fr.memIdx;
  return Fr.memField;
}
export function kLastLabel(): i32 {
  return Fr.lastLabel;
}
export function kBlockedOn(): i32 {
  return Fr.blockedOn;
}
export function kFaultsUsed(s: usize): i32 {
  return load<u8>(s + L.G_FAULTS);
}
export function kFaultBudget(): i32 {
  return load<u8>(L.CFG + L.C_FAULTS);
}
export function kThreadDone(s: usize, t: i32): bool {
  L.setState(s);
  return threadDone(t);
}
export function kAllDone(s: usize): bool {
  L.setState(s);
  for (let t = 0; t < L.nThreads; t++) if (!threadDone(t)) return false;
  return true;
}
export function kCheck(s: usize): i32 {
  L.setState(s);
  return checkState();
}
export function kViolObj(): i32 {
  return violObj;
}
export function kExpectCount(): i32 {
  return load<u8>(L.CFG + L.C_NEXPECT);
}
export function kExpectModality(k: i32): i32 {
  return expectModality(k);
}
export function kEvalExpect(s: usize, k: i32): bool {
  L.setState(s);
  return evalExpect(k);
}
export function kLockOwner(s: usize, id: i32): i32 {
  L.setState(s);
  return ownerOf(id);
}

// Layout description for the trace decoder (checker/trace/decode.ts).
export function kLayout(field: i32): i32 {
  switch (field) {
    case 0: return L.offTables;
    case 1: return L.tableStride;
    case 2: return L.offFiles;
    case 3: return L.offEpolls;
    case 4: return L.offItems;
    case 5: return L.offThreads;
    case 6: return L.threadStride;
    case 7: return L.offFrames;
    case 8: return L.stateSize;
    case 9: return L.offUring;
    default: return -1;
  }
}

// ---- Search-engine helpers (model/search_*.ts, owned by the explorer; appended, nothing above depends on them) ----
import { disciplineLock, disciplineStep, enableGates, locksetStrict, resetDiscipline } from './lockset';
import { slotBoundsNarrow } from './slot_bounds';
import { boundW, boundT, boundsAttach, boundsBytes, boundsInit, nestedEpolls, threadBound } from './search_bounds';
import {
  invariantVirtual, invariantVirtualBound, namedThreads, propsAttach, propsBytes, propsInit, virtualCount, virtualWrites,
} from './search_props';
import { canonicalize, permutationAt, symmetryAttach, symmetryBytes, symmetryInit } from './search_symmetry';

/** Static future-footprint bounds per thread (partial-order reduction): region size, then compute at `addr`. */
export function kBoundsBytes(): i32 {
  return boundsBytes();
}
export function kBoundsInit(addr: usize): void {
  boundsInit(addr);
}
/** Compute thread t's bound in state s; read it with kBoundW (may write) and kBoundT (may read or write). */
export function kThreadBound(s: usize, t: i32): void {
  threadBound(s, t);
}
export function kBoundW(): u64 {
  return boundW;
}
export function kBoundT(): u64 {
  return boundT;
}
/** What the expectations read (virtual footprint objects for partial-order reduction). */
export function kPropsBytes(): i32 {
  return propsBytes();
}
export function kPropsInit(addr: usize): void {
  propsInit(addr);
}
export function kVirtualWrites(writes: u64, t: i32): u64 {
  return virtualWrites(writes, t);
}
/** Invariants' virtual objects written by the step src -> dst, and by a bound that may write `w`. */
export function kInvariantVirtual(src: usize, dst: usize): u64 {
  return invariantVirtual(src, dst);
}
export function kInvariantVirtualBound(w: u64): u64 {
  return invariantVirtualBound(w);
}
/** Can an epoll ever watch an epoll file in this scenario (after kBoundsInit)? */
export function kNestedEpolls(): bool {
  return nestedEpolls();
}
export function kVirtualCount(): i32 {
  return virtualCount();
}
export function kNamedThreads(): u32 {
  return namedThreads();
}
/** Symmetry reduction: groups of interchangeable threads, canonical representatives. */
export function kSymBytes(): i32 {
  return symmetryBytes();
}
export function kSymInit(addr: usize, named: u32): i32 {
  return symmetryInit(addr, named);
}
export function kCanonicalize(s: usize): bool {
  return canonicalize(s);
}
export function kPermutation(n: i32): i32 {
  return permutationAt(n);
}
/** Another instance on the same shared memory: use the helpers' tables computed by the first (no writes). The
 *  symmetry helper needs a private scratch area of kSymBytes() bytes. */
export function kSearchAttach(bounds: usize, props: usize, sym: usize, symScratch: usize): void {
  boundsAttach(bounds);
  propsAttach(props);
  symmetryAttach(sym, symScratch);
}

/** Should the explorer stop expanding a state with this violation code? */
export function kIsFatal(v: i32): bool {
  return Fr.isFatal(v);
}

/** Every violation of the state at s, as a bitmask over Viol codes (see kViolObjOf for each one's object). */
/** Give this instance its own scratch for the invariant checks (kCheckScratchBytes() bytes): threaded workers
 *  judge states at the same time on one shared memory. */
export function kCheckScratch(p: usize): void {
  checkScratch(p);
}
export function kCheckScratchBytes(): i32 {
  return <i32>CHECK_SCRATCH_BYTES;
}
export function kCheckMask(s: usize): u32 {
  L.setState(s);
  return checkAll();
}
export function kViolObjOf(v: i32): i32 {
  return violObjOf(v);
}
