// The parsed, validated form of a scenario file (.fdr). This object is also the scenario's JSON form
// (`fdrace parse FILE --json`), so every field is plain data. Locations are 1-based.

export interface Loc {
  line: number;
  col: number;
}

/** What kind of struct file an object is. Decides f_op->poll (file_can_poll) and is_file_epoll(). */
export type FileKind = 'socket' | 'regular' | 'epoll';

export interface FileDecl {
  name: string;
  kind: FileKind;
  loc: Loc;
}

/** `process P` — one files_struct. `shares Q` means CLONE_FILES: P uses Q's table (no table of its own). */
export interface ProcessDecl {
  name: string;
  shares?: string;
  /** Initial fd table: fd number -> file name. Ranges in the source are expanded here. */
  fds: { fd: number; file: string; loc: Loc }[];
  loc: Loc;
}

/** Epoll event bits a scenario can name; values are the uapi ones from include/uapi/linux/eventpoll.h. */
export type EventName = 'IN' | 'OUT' | 'ERR' | 'HUP' | 'ET' | 'ONESHOT';

/** `watch E (OLD, 3) IN|OUT data=7` — an epitem present in E's rbr at the start, keyed (file, fd). */
export interface WatchDecl {
  epoll: string;
  file: string;
  fd: number;
  events: EventName[];
  data: number;
  loc: Loc;
}

export type EpollOp = 'ADD' | 'DEL' | 'MOD';

/** One syscall (or kernel entry) a thread performs. Arguments are fd numbers in the thread's table
 *  unless the field says file (a file name from a `file`/`epoll` declaration). */
/** One operation; `elseSkip` (written `... else skip`) makes a nonzero result skip to the thread's last op. */
export type Op = BaseOp & { elseSkip?: true };

export type BaseOp =
  | { kind: 'close'; fd: number; loc: Loc }
  | { kind: 'dup'; fd: number; loc: Loc }
  | { kind: 'dup2'; oldfd: number; newfd: number; loc: Loc }
  /** seccomp SECCOMP_IOCTL_NOTIF_ADDFD with SETFD, executed in the target: receive_fd_replace(fd, file). */
  | { kind: 'replace'; fd: number; file: string; loc: Loc }
  | { kind: 'epoll_ctl'; epfd: number; op: EpollOp; fd: number; events: EventName[]; data: number; loc: Loc }
  /** fget(fd): take a reference and keep it (an in-flight holder); released by the next `fput()`. */
  | { kind: 'fget'; fd: number; loc: Loc }
  /** fput(): drop the reference of this thread's most recent `fget` still held. */
  | { kind: 'fput'; loc: Loc }
  /** epoll_wait(epfd): ep_send_events over every item (all treated as ready). Returns the items reported. */
  | { kind: 'epoll_wait'; epfd: number; loc: Loc }
  /** epoll_create(E): creates the declared epoll E (which no table holds at the start); returns its fd. */
  | { kind: 'epoll_create'; epoll: string; loc: Loc }
  /** fork(C): copies this thread's table into process C's (empty) table, one reference per file. */
  | { kind: 'fork'; child: string; loc: Loc }
  /** pidfd_getfd(Q, N): a new fd in this thread's table for the file at Q's fd N. */
  | { kind: 'pidfd_getfd'; process: string; fd: number; loc: Loc }
  /** The target's intercepted syscall traps to the supervisor and waits for ADDFD requests and the reply. */
  | { kind: 'seccomp_trap'; loc: Loc }
  /** Supervisor: SECCOMP_IOCTL_NOTIF_RECV. */
  | { kind: 'recv'; loc: Loc }
  /** Supervisor: SECCOMP_IOCTL_NOTIF_ADDFD {SETFD, newfd = fd, srcfd = the supervisor's own fd src}. */
  | { kind: 'addfd'; fd: number; src: number; loc: Loc }
  /** Supervisor: SECCOMP_IOCTL_NOTIF_SEND (the reply). */
  | { kind: 'send'; loc: Loc }
  /** kcmp(KCMP_FILE) of process P's fd N and this thread's fd M: 0 if the same struct file, 1 if not. */
  | { kind: 'kcmp'; process: string; fd: number; own: number; loc: Loc }
  /** io_uring fixed files: register fd N in slot K (the slot holds a reference), unregister, I/O through K. */
  | { kind: 'io_uring_register'; slot: number; fd: number; loc: Loc }
  | { kind: 'io_uring_unregister'; slot: number; loc: Loc }
  | { kind: 'io_uring_io'; slot: number; loc: Loc }
  /** The table grows (expand_files -> expand_fdtable): a new fdtable is published, the old one RCU-freed. */
  | { kind: 'expand_fdtable'; loc: Loc };

export interface ThreadDecl {
  name: string;
  process: string;
  ops: Op[];
  /** `thread T in P when V1 V2`: the thread exists only on these variants (preset names); absent = all. */
  when?: string[];
  loc: Loc;
}

// ---- expectations -------------------------------------------------------------------------------

export type Modality = 'always' | 'never' | 'at-end' | 'sometimes' | 'when';

/** A file reference in a predicate: a file name, or `none` for an empty slot. */
export type FileRef = { file: string } | { none: true };

export type Expr =
  | { kind: 'and'; left: Expr; right: Expr; loc: Loc }
  | { kind: 'or'; left: Expr; right: Expr; loc: Loc }
  | { kind: 'not'; expr: Expr; loc: Loc }
  /** P.fd[lo..hi] == F (or !=): every fd in the range refers to F (for !=: none of them does). */
  | { kind: 'fd'; process: string; lo: number; hi: number; eq: boolean; target: FileRef; loc: Loc }
  /** E has (F, n): at least one epitem in E keyed (F, n). `count` form: E.count(F, n) OP k. */
  | { kind: 'has'; epoll: string; file: string; fd: number; loc: Loc }
  | { kind: 'count'; epoll: string; file: string; fd: number; cmp: Cmp; value: number; loc: Loc }
  /** F.ref OP k */
  | { kind: 'ref'; file: string; cmp: Cmp; value: number; loc: Loc }
  /** F.state == live | dying | freed */
  | { kind: 'life'; file: string; eq: boolean; state: 'live' | 'dying' | 'freed' | 'unborn'; loc: Loc }
  /** T.ret OP v  (the return value of the thread's op number `op`, 1-based; default: its last op).
   *  Errors are negative errno values; names like -EBADF are resolved by the parser. */
  | { kind: 'ret'; thread: string; op: number; cmp: Cmp; value: number; loc: Loc }
  /** T.done — the thread has finished all its ops. */
  | { kind: 'done'; thread: string; loc: Loc }
  // Atoms of model/atoms.ts.
  /** T.op[K].ret OP v: op K (1-based) has returned, with a value that satisfies OP v (false before it returns). */
  | { kind: 'opret'; thread: string; op: number; cmp: Cmp; value: number; loc: Loc }
  /** E.mtx free / held, P.file_lock free, F.f_lock held: whether the lock has an owner. */
  | { kind: 'lock-free'; lock: LockRef; free: boolean; loc: Loc }
  /** E.mtx owner == T (or !=). */
  | { kind: 'lock-owner'; lock: LockRef; eq: boolean; thread: string; loc: Loc }
  /** E.mtx waiters OP n: threads whose next step waits for the lock. */
  | { kind: 'lock-waiters'; lock: LockRef; cmp: Cmp; value: number; loc: Loc }
  /** E.events(F, n) == EVENTS / != EVENTS / has EVENTS (ERR and HUP are always in an epitem's mask). */
  | { kind: 'events'; epoll: string; file: string; fd: number; test: '==' | '!=' | 'has'; events: EventName[]; loc: Loc }
  /** E.data(F, n) OP v (no epitem: the value is -1). */
  | { kind: 'data'; epoll: string; file: string; fd: number; cmp: Cmp; value: number; loc: Loc }
  /** E.refcount OP n: ep->refcount. */
  | { kind: 'ep-ref'; epoll: string; cmp: Cmp; value: number; loc: Loc }
  /** E.ep_state == live | orphan | freed | unborn: the struct eventpoll's lifetime. */
  | { kind: 'ep-life'; epoll: string; eq: boolean; state: 'live' | 'orphan' | 'freed' | 'unborn'; loc: Loc }
  /** E.item(F, n).state == live | dying | absent: the epitem keyed (F, n) in E's rbr. */
  | { kind: 'item-state'; epoll: string; file: string; fd: number; eq: boolean; state: 'live' | 'dying' | 'absent'; loc: Loc }
  /** T at FUNCTION: the kernel function of T's next step (`user`: T is in user space). */
  | { kind: 'at'; thread: string; fn: string; loc: Loc }
  /** quiescent: no thread is inside the kernel. */
  | { kind: 'quiescent'; loc: Loc };

/** A lock in an atom: E.mtx (ep->mtx), F.f_lock (file->f_lock), P.file_lock (files->file_lock). */
export interface LockRef {
  lock: 'mtx' | 'f_lock' | 'file_lock';
  object: string;
}

export type Cmp = '==' | '!=' | '<' | '<=' | '>' | '>=';

export interface Expectation {
  /** Label used by `result` lines and reports; `e1`, `e2`, … when the source gives none. */
  label: string;
  modality: Modality;
  expr: Expr;
  /** The expression as written (for reports). */
  text: string;
  /** Modality `when`: `when T.op[K] returns: EXPR` holds EXPR in the state the return of op K makes. */
  returns?: { thread: string; op: number };
  loc: Loc;
}

/** `check NAME` — a built-in property switched on for this scenario (names listed in BUILTIN_PROPERTIES). */
export interface CheckDecl {
  name: string;
  /** `check PROPERTY.KIND`: only this kind of the property (checker/scenario/kinds.ts). */
  kind?: string;
  loc: Loc;
}

export type Verdict = 'pass' | 'violation' | 'deadlock' | 'incomplete';

/** `result VARIANT violation(label, ...)` — the expected outcome on one variant. */
export interface ExpectedResult {
  variant: string;
  verdict: Verdict;
  /** Labels of expectations / built-in property names expected to fail (empty: any). */
  properties: string[];
  loc: Loc;
}

export interface Options {
  /** At most this many injected faults (ENOMEM etc.) per run. Default 0. */
  faults: number;
  /** `option faults SITE:N ...`: each listed site fails at most N times, others never; `faults` caps the total
   *  (the sum of the budgets when no count is given). Site names: checker/scenario/faults.ts. */
  faultSites?: Record<string, number>;
  /** `option path_limits A B C D E`: reverse_path_check's path_limits per depth (kernel: 1000 500 100 50 10). */
  pathLimits?: number[];
  /** max_user_watches for every user (ENOSPC). Default 64. */
  maxUserWatches: number;
  /** fd table size (max_fds); fds must be below it. Default: smallest multiple of 8 above the largest fd used. */
  maxFds?: number;
}

export interface Scenario {
  name: string;
  title: string;
  /** Comment lines of the header (before the first declaration), without the leading '#'. */
  doc: string[];
  source: string;
  files: FileDecl[];
  processes: ProcessDecl[];
  watches: WatchDecl[];
  threads: ThreadDecl[];
  expectations: Expectation[];
  checks: CheckDecl[];
  variants: string[];
  results: ExpectedResult[];
  options: Options;
}

/** A located error: the CLI prints `file:line:col: error: message` and exits 2. */
export class ScenarioError extends Error {
  constructor(
    message: string,
    readonly loc: Loc,
    readonly file = '<input>',
  ) {
    super(message);
    this.name = 'ScenarioError';
  }
  format(): string {
    return `${this.file}:${this.loc.line}:${this.loc.col}: error: ${this.message}`;
  }
}
