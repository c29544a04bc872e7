// The numbers both halves of fdrace must agree on at the Wasm boundary: where the host writes the configuration,
// the configuration block's field offsets and capacities, the engine's run and report codes, and its storage and
// strategy codes. Like model/codes.ts this file is valid AssemblyScript and TypeScript (plain enums, no imports):
// the kernel and engine (AssemblyScript) and the checker (TypeScript) both import it, so no number is written
// twice. test/abi.test.ts checks the built module against it and that no copy of these numbers appears elsewhere.

/** Fixed addresses in the module's memory. */
export enum Addr {
  /** The configuration block the host writes before eInit/kConfigure. */
  Cfg = 16384,
  CfgSize = 8192,
  /** The kernel's scratch states (Cfg + CfgSize): state A, then state B. */
  Scratch = 24576,
  /** Size of one scratch state slot. */
  ScratchState = 4096,
}

/** Byte offsets inside the configuration block (from Addr.Cfg). */
export enum Cfg {
  NTables = 0,
  NSlots = 1,
  NFiles = 2,
  NEpolls = 3,
  NThreads = 4,
  NItems = 5,
  Faults = 6,
  MaxWatch = 7,
  /** u32 toggle mask. */
  Toggles = 8,
  NExpect = 12,
  MaxOps = 13,
  /** 1 if the scenario uses io_uring (the ring's fixed table is in the state). */
  Uring = 14,
  /** Table of the seccomp target (the process that traps), 0xFF if none. */
  Target = 15,
  /** [16] Kind of each file. */
  FileKind = 16,
  /** [16] epoll index of an epoll file, 0xFF otherwise. */
  FileEp = 32,
  /** [8] file index of each epoll. */
  EpFile = 48,
  /** [8] tasks sharing each files_struct (fdget borrows when 1). */
  TableUsers = 56,
  /** [8] table of each thread. */
  ThreadTable = 64,
  /** [8] number of ops of each thread. */
  ThreadNops = 72,
  /** [8 threads][32 ops][8 bytes]: kind, a, b, c, d, e, 0, 0. */
  Ops = 128,
  /** [32] modality u8, pad u8, code offset u16 (from Code). */
  Expect = 2176,
  /** Predicate bytecode, up to InitSlots. */
  Code = 2304,
  /** [8 tables][64] initial slot contents (file + 1, 0 empty). */
  InitSlots = 4096,
  /** count u8, then [n][5]: ep, file, fd, events, data. */
  InitItems = 4608,
  /** u16: files created by an op (epoll_create) rather than present at the start. */
  Unborn = 4864,
  /** [33][33] u16: lock-order edges seen in the whole exploration (not state). */
  LockEdges = 5120,
  /** Watched returns (`T.op[K].ret`, `when T.op[K] returns`): model/atoms.ts. */
  Returns = 7680,
  /** Per-site fault budgets (`option faults SITE:N`): model/fault_sites.ts. */
  FaultSites = 7760,
  /** Scaled reverse_path_check limits (`option path-limits`): model/routines/loop_limits.ts. */
  PathLimits = 7776,
  /** [8] u32 scratch for the epoll-cycle check. */
  Reach = 7872,
  /** Predicate evaluation stack (64 x i32). */
  PStack = 7936,
}

/** Capacities of the configuration block (and so of a scenario). */
export enum Cap {
  Files = 16,
  Epolls = 8,
  Threads = 8,
  Tables = 8,
  Slots = 64,
  Items = 120,
  Expect = 32,
  /** Bytes of predicate bytecode: Cfg.InitSlots - Cfg.Code. */
  Code = 1792,
  /** Ops per thread, and bytes per op. */
  Ops = 32,
  OpBytes = 8,
}

/** What an engine run call returns. */
export enum Run {
  Done = 0,
  More = 1,
  OutOfMemory = 2,
  Capacity = 3,
  LevelDone = 4,
  Grow = 5,
  Bound = 6,
  Limit = 7,
  Stopped = 8,
  Found = 9,
}

/** Kinds of the engine's reports. */
export enum Report {
  Invariant = 1,
  Expect = 2,
  Deadlock = 3,
}

export enum StorageCode {
  Full = 0,
  Fingerprint = 1,
  Bitstate = 2,
  /** Lossless, as vectors of interned component ids (checker/wasm/collapse.ts). */
  Collapse = 3,
}

export enum StrategyCode {
  Bfs = 0,
  Dfs = 1,
  Random = 2,
  Pb = 3,
}

/** Dense lock indices of the lock-order table (Cfg.LockEdges, [Count][Count] u16): file tables, then f_locks,
 *  then ep->mtx, then the global epoll mutex and the seccomp notify_lock. */
export enum LockIndex {
  Tables = 0,
  FLocks = 8,
  EpMtx = 24,
  Global = 32,
  Notify = 33,
  Count = 34,
}

/** errno values returned by the modelled syscalls and accepted in expressions (`T.ret == -EBADF`); from
 *  include/uapi/asm-generic/errno-base.h and errno.h. */
export enum Errno {
  EPERM = 1,
  ENOENT = 2,
  ESRCH = 3,
  EINTR = 4,
  ENXIO = 6,
  EBADF = 9,
  EAGAIN = 11,
  ENOMEM = 12,
  EFAULT = 14,
  EBUSY = 16,
  EEXIST = 17,
  EINVAL = 22,
  ENFILE = 23,
  EMFILE = 24,
  ENOSPC = 28,
  ELOOP = 40,
  EINPROGRESS = 115,
}
