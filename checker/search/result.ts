// What a search returns. The counterexample is a path (the vector of choices from the initial state); traces,
// reports and URLs are all derived from it by replay.

import { Viol } from '../../model/codes.ts';
import { Path } from '../path.ts';
import type { Verdict } from '../scenario/types.ts';

export interface Stats {
  states: number;
  transitions: number;
  terminal: number;
  maxDepth: number;
  seconds: number;
  statesPerSecond: number;
  memoryBytes: number;
  stateBytes: number;
  /** Transitions per second. */
  transitionsPerSecond?: number;
  /** Bytes of the visited set's table (or bit array), and bytes per state of everything that stores visited
   *  states (table, plus whole-state records in full storage). */
  visitedBytes?: number;
  bytesPerState?: number;
  /** Reductions at work: expansions that used a proper ample set, that fell back to every move (cycle proviso or
   *  no ample set), and moves skipped because they were asleep. */
  ampleExpansions?: number;
  fullExpansions?: number;
  sleptMoves?: number;
  /** Random walks run (strategy random); preemption bound reached (strategy pb). */
  walks?: number;
  preemptions?: number;
  /** Parallel search: seconds spent starting the workers (included in `seconds`). */
  startupSeconds?: number;
}

/** How states were stored, and what that means for completeness. */
export interface StorageInfo {
  mode: 'full' | 'collapse' | 'fingerprint' | 'bitstate';
  /** fingerprint: estimated probability that two distinct states shared a fingerprint (n^2 / 2^65). */
  collisionProbability?: number;
  /** bitstate: bits, hash functions, bits per state ("hash factor"), expected states missed. */
  bits?: number;
  hashes?: number;
  hashFactor?: number;
  expectedOmissions?: number;
  /** bitstate may have missed states: a pass is not a proof. */
  possiblyIncomplete?: boolean;
}

export interface SearchInfo {
  strategy: 'bfs' | 'dfs' | 'random' | 'pb';
  storage: StorageInfo;
  reductions: {
    por: boolean;
    sleepSets: boolean;
    symmetry: boolean;
    transactions?: boolean;
    /** Dynamic partial-order reduction (dfs): maximal paths explored, races found, states cut (not expanded). */
    dpor?: { mode: 'stateless' | 'stateful'; traces: number; races: number; cuts: number };
  };
  workers: number;
  /** random: the base seed (walk i uses seed + i). */
  seed?: number;
  /** Anything the reader should know about how this result was obtained. */
  notes?: string[];
}

export interface Violation {
  /** Expectation label or built-in property name (refcount, no-uaf, watchers, locks, deadlock, ...). */
  property: string;
  /** Kernel violation code name for built-ins (e.g. UafItem), the modality for expectations. */
  kind: string;
  message: string;
  /** PROPERTY.KIND as `result` and `check` lines name it (checker/scenario/kinds.ts), e.g. no-uaf.epitem; a
   *  scenario expectation's label alone. */
  qualified?: string;
  /** Moves from the initial state: thread index, with '!' when the step's allocation was made to fail. */
  path: string;
  steps: number;
  /** For lock-order inversions: the lockdep-style report. */
  splat?: string;
  /** strategy random: the seed that reproduces this counterexample with --seed SEED --walks 1. */
  seed?: number;
  /** `linearizable`: the real-time precedences of the concurrent run and the nearest sequential outcome (the
   *  order of the ops and the fields that differ). */
  linearizability?: {
    precedence: string[];
    nearest: { order: string[]; differences: { field: string; concurrent: string; sequential: string }[] } | null;
  };
  /** `livelock`: the path is a lasso — `prefixSteps` steps to the cycle, then `cycleSteps` steps that return to
   *  the state after step `cycleStart` and repeat forever. */
  lasso?: { prefixSteps: number; cycleStart: number; cycleSteps: number };
  /** strategy pb: the preemptions on this counterexample (the fewest any counterexample of it needs). */
  preemptions?: number;
}

export interface SearchResult {
  scenario: string;
  file: string;
  variant: string;
  verdict: Verdict;
  /** Why the search stopped early, when verdict is incomplete (or a violation was found in a partial run). */
  incomplete?: string;
  stats: Stats;
  violations: Violation[];
  /** How the search ran (strategy, storage, reductions, workers). Absent only in results of older builds. */
  search?: SearchInfo;
}

/** Built-in property each kernel violation code belongs to. */
export const VIOL_PROPERTY: Record<number, { property: string; name: string; what: string }> = {
  [Viol.UafFile]: { property: 'no-uaf', name: 'UafFile', what: 'struct file used after __fput freed it' },
  [Viol.UafItem]: { property: 'no-uaf', name: 'UafItem', what: 'epitem used after it was freed (a saved pointer outlived it)' },
  [Viol.UafEp]: { property: 'no-uaf', name: 'UafEp', what: 'struct eventpoll used after ep_free' },
  [Viol.RefUnderflow]: { property: 'refcount', name: 'RefUnderflow', what: 'fput on a file whose count is already 0' },
  [Viol.RefMismatch]: { property: 'refcount', name: 'RefMismatch', what: "a file's count differs from its holders (fd slots + references held by tasks)" },
  [Viol.CloseZeroCount]: { property: 'refcount', name: 'CloseZeroCount', what: 'filp_close: file count is 0' },
  [Viol.Watchers]: { property: 'watchers', name: 'Watchers', what: 'epitem in ep->rbr but not on file->f_ep (or the reverse) with ep->mtx free' },
  [Viol.DuplicateKey]: { property: 'watchers', name: 'DuplicateKey', what: 'two epitems with the same (file, fd) key in one eventpoll' },
  [Viol.RecursiveLock]: { property: 'locks', name: 'RecursiveLock', what: 'a task acquired a lock it already holds (AA deadlock)' },
  [Viol.LockHeldAtReturn]: { property: 'locks', name: 'LockHeldAtReturn', what: 'a task returned to user space holding a lock' },
  [Viol.RefLeak]: { property: 'refcount', name: 'RefLeak', what: 'a task returned to user space still holding a file reference it took' },
  [Viol.SleepInAtomic]: { property: 'locks', name: 'SleepInAtomic', what: 'a sleeping step ran under a spinlock' },
  [Viol.Capacity]: { property: 'model-capacity', name: 'Capacity', what: "the model's epitem capacity was exceeded (a limit, not a kernel bug)" },
  [Viol.DanglingFile]: { property: 'no-uaf', name: 'DanglingFile', what: 'a freed struct file is still pointed to by an fd slot, an epitem or a task' },
  [Viol.PollDeadFile]: { property: 'refcount', name: 'PollDeadFile', what: 'f_op->poll called on a file whose count already reached zero (CVE-2024-38580)' },
  [Viol.EpRefcount]: { property: 'refcount', name: 'EpRefcount', what: 'ep->refcount dropped to zero (or below) where a reference must remain' },
  [Viol.EpollCycle]: { property: 'watchers', name: 'EpollCycle', what: 'epolls watch each other in a cycle (E9)' },
  [Viol.CheckListLeak]: {
    property: 'check-list',
    name: 'CheckListLeak',
    what: 'tfile_check_list left non-empty (or changed) without the global epoll mutex (E10)',
  },
  [Viol.OrphanInsert]: { property: 'refcount', name: 'OrphanInsert', what: 'epitem inserted into an eventpoll whose epoll file was already released (E4)' },
  [Viol.UafFdt]: { property: 'no-uaf', name: 'UafFdt', what: 'an fdtable used after expand_fdtable replaced it and RCU freed it' },
  [Viol.FreeWhileLocked]: {
    property: 'free-while-locked',
    name: 'FreeWhileLocked',
    what: 'an object was freed while a lock embedded in it was held (lockdep: held lock freed!)',
  },
  [Viol.RcuIdentity]: {
    property: 'no-uaf',
    name: 'RcuIdentity',
    what: 'a lockless reader of a SLAB_TYPESAFE_BY_RCU file kept a reference on the object that reused the memory (no identity re-check)',
  },
  [Viol.EpollDepth]: { property: 'watchers', name: 'EpollDepth', what: 'a chain of epolls watching epolls is longer than EP_MAX_NESTS (E9)' },
  [Viol.PathLimit]: {
    property: 'watchers',
    name: 'PathLimit',
    what: 'a file has more wakeup paths of one depth than path_limits allows, or one deeper than EP_MAX_NESTS + 1 (E9)',
  },
  [Viol.Livelock]: {
    property: 'livelock',
    name: 'Livelock',
    what: 'a retry loop went round three times without progress (E15; no longer raised: checker/search/progress.ts checks progress on the graph)',
  },
};

/** Moves as text (see checker/path.ts, the one place that defines the format). */
export function formatPath(moves: readonly number[]): string {
  return Path.fromMoves(moves).format();
}

/** Parse a path string into encoded moves. Throws a message (the caller adds the location) on malformed input. */
export function parsePath(text: string, nThreads: number): number[] {
  return [...Path.parse(text, nThreads).moves];
}
