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
}

export interface TraceViolation {
  property: string;
  kind: string;
  message: string;
  /** Step at which it shows (the last step of the path); 0 = the initial state. */
  step: number;
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
