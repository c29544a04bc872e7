// The parsed, validated form of a scenario file (.fdr). This object is also the scenario's JSON form
// (`fdrace parse FILE --json`), so every field is plain data. Locations are 1-based.

import type { OpOf } from '../../model/ops/descriptor.ts';
import type { OPS } from '../../model/ops/registry.ts';

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

/** One operation; `elseSkip` (written `... else skip`) makes a nonzero result skip to the thread's last op. */
export type Op = BaseOp & { elseSkip?: true };

/** One syscall (or kernel entry) a thread performs: the parsed form of each op of the registry
 *  (model/ops/registry.ts; each op's meaning is documented in its folder model/ops/<op>/op.ts). Arguments are fd
 *  numbers in the thread's table unless the descriptor gives another kind (a file, epoll or process name). */
export type BaseOp = OpOf<(typeof OPS)[number]>;

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
