// Trace JSON, format 1: a counterexample replayed step by step, with the decoded kernel state after each step.
// Consumed by the text report, the web viewer and `fdrace replay`. Everything is plain data; names, never
// indices, so that a reader needs no scenario to understand it.

export const TRACE_FORMAT = 1;

export type LifeName = 'live' | 'dying' | 'releasing' | 'freed' | 'unborn';

export interface DecodedFd {
  fd: number;
  /** File name, or '(reserved)' for a slot between alloc_fd and fd_install. */
  file: string;
}

export interface DecodedProcess {
  /** Process names using this files_struct (CLONE_FILES sharers are listed together). */
  name: string;
  processes: string[];
  fds: DecodedFd[];
  /** Thread holding files->file_lock, or null. */
  fileLock: string | null;
}

export interface DecodedFile {
  name: string;
  kind: 'socket' | 'regular' | 'epoll';
  ref: number;
  life: LifeName;
  /** Thread holding file->f_lock, or null. */
  fLock: string | null;
  /** The f_ep list in order (head first): "E:(OLD,3)". */
  watchers: string[];
}

export interface DecodedItem {
  file: string;
  fd: number;
  events: string[];
  data: number;
  /** Linked in ep->rbr / on file->f_ep (both, except inside ep_insert / ep_remove). */
  inRbr: boolean;
  onFep: boolean;
  dying: boolean;
  /** Index of the epitem record (stable while the item lives; used by violation messages). */
  id: number;
}

export interface DecodedEpoll {
  name: string;
  /** Thread holding ep->mtx, or null. */
  mtx: string | null;
  refcount: number;
  life: 'live' | 'orphan' | 'freed' | 'unborn';
  items: DecodedItem[];
}

export interface DecodedFrame {
  routine: string;
  pc: number;
}

export interface DecodedThread {
  name: string;
  process: string;
  /** 'user' (between syscalls), 'kernel', 'blocked', 'done'. */
  status: 'user' | 'kernel' | 'blocked' | 'done';
  /** The syscall in progress or next (as written in the scenario), or null when all are done. */
  op: string | null;
  opIndex: number;
  frames: DecodedFrame[];
  /** Files this task holds references on (in-flight fget, displaced files awaiting filp_close, ...). */
  held: string[];
  /** Deferred __fput queued on this task's task_work. */
  pendingFput: string[];
  /** Return values of finished ops, in order (null: not returned yet). */
  returns: (number | null)[];
  /** Lock it waits for when blocked, e.g. "E.mtx". */
  waitingFor: string | null;
}

export interface DecodedLock {
  name: string;
  kind: 'spin' | 'mutex';
  owner: string | null;
  waiters: string[];
}

export interface DecodedState {
  processes: DecodedProcess[];
  files: DecodedFile[];
  epolls: DecodedEpoll[];
  threads: DecodedThread[];
  locks: DecodedLock[];
  /** Global epoll mutex owner (epmutex), user's epoll_watches, faults injected so far. */
  global: { epmutex: string | null; watches: number; faults: number };
}

export interface TraceStep {
  /** 1-based step number. */
  step: number;
  thread: string;
  /** Index of the thread in the scenario (the path's move number). */
  threadIndex: number;
  /** true when this step's allocation was made to fail (fault injection). */
  fault: boolean;
  /** The syscall this step belongs to, as written in the scenario ("close(4)"), or "__fput(OLD)" for task_work. */
  op: string;
  /** Kernel function and source file this step models, and what it does. */
  function: string;
  source: string;
  text: string;
  /** Human-readable changes this step made ("P.fd[3]: OLD -> NEW"). */
  changes: string[];
  state: DecodedState;
  /** The step's label id (model/steps.ts Step name, e.g. "EpRemoveRbErase"): keys its source range in
   *  checker/trace/sources.ts. Optional: traces written before it existed link at function level. */
  label?: string;
}

/** The object a kernel invariant names: a struct file, an epitem (by record index), an eventpoll, a task, an fd
 *  table or a lock. */
export interface ViolationSubject {
  kind: 'file' | 'epitem' | 'epoll' | 'thread' | 'fdtable' | 'lock';
  name: string;
}

/** lockdep's "Possible unsafe locking scenario": in time order, which CPU takes which lock. */
export interface LockOrderScenario {
  tasks?: [string, string];
  rows: { cpu: 0 | 1; text: string }[];
}

export interface TraceViolation {
  property: string;
  kind: string;
  message: string;
  /** Step at which it shows (the last step of the path); 0 = the initial state. */
  step: number;
  /** The object the invariant names (kernel invariants only; optional in format 1). */
  subject?: ViolationSubject;
  /** For a deadlock of two tasks on two locks: lockdep's CPU0/CPU1 rows, read off the path. */
  scenario?: LockOrderScenario;
  /** For no-uaf and free-while-locked: the KASAN / lockdep report (added in this format; readers of older traces
   *  find it absent). */
  memory?: MemoryReport;
}

/** A KASAN-style (bad access) or lockdep-style (held lock freed) report, structured and as text. */
export interface MemoryReport {
  tool: 'KASAN' | 'lockdep';
  /** The first line as the kernel prints it: "BUG: KASAN: slab-use-after-free in ep_remove". */
  title: string;
  bug: 'slab-use-after-free' | 'double-free' | 'invalid-free' | 'held-lock-freed';
  access: 'read' | 'write' | 'lock' | 'unlock' | 'double-free' | 'invalid-free' | null;
  /** Bytes accessed (null for frees). */
  size: number | null;
  /** Kernel function and file of the bad step. */
  function: string;
  source: string;
  object: { type: string; name: string; description: string; field: string | null; cache: string };
  task: string;
  step: number;
  /** step 0 and task null: allocated before the scenario started. */
  allocated: { task: string | null; step: number; chain: string[] };
  freed: { task: string; step: number; chain: string[] } | null;
  /** lockdep: the lock that was still held, its holder and since which step. */
  lock: { name: string; holder: string; since: number | null } | null;
  text: string[];
}

export interface Trace {
  format: typeof TRACE_FORMAT;
  tool: 'fdrace';
  scenario: string;
  title: string;
  file: string;
  variant: string;
  path: string;
  threads: { name: string; process: string; ops: string[] }[];
  initial: DecodedState;
  steps: TraceStep[];
  violation: TraceViolation | null;
  /** A livelock's lasso: the first `prefixSteps` steps lead to the cycle; steps cycleStart+1 .. cycleStart +
   *  cycleSteps return to the state after step `cycleStart` and repeat forever. */
  lasso?: { prefixSteps: number; cycleStart: number; cycleSteps: number };
  /** The scenario source, so the viewer can re-derive the trace by replay. */
  source: string;
}
