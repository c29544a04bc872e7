// Numeric codes shared by the AssemblyScript kernel and the TypeScript checker. This file must stay valid in both
// languages: plain enums only, no type annotations, no imports. The TypeScript side imports it directly, so the
// numbers cannot drift between the two halves.

/** Kind of struct file (decides f_op->poll and is_file_epoll). */
export enum Kind {
  Socket = 0,
  Regular = 1,
  Epoll = 2,
}

/** Life state of a struct file. */
export enum Life {
  Live = 0,
  /** Count reached zero; __fput is queued on some task's task_work (fput, fs/file_table.c). */
  Dying = 1,
  /** __fput is running. */
  Releasing = 2,
  Freed = 3,
  /** Declared by the scenario but not created yet (epoll_create makes it). */
  Unborn = 4,
  /** __fput is done and file_free queued call_rcu(file_free_rcu): RCU readers whose read-side section began
   *  before the free may still touch it; the grace period ends (and the memory goes) when the last of them leaves.
   *  Only without 0ede61d8589c (SLAB_TYPESAFE_BY_RCU frees at once). */
  RcuPending = 5,
}

/** Life state of a struct eventpoll. */
export enum EpLife {
  Live = 0,
  /** Its epoll file was released; the eventpoll may live on through ep->refcount (current only). */
  Orphan = 1,
  Freed = 2,
  /** Not created yet (epoll_create makes it). */
  Unborn = 3,
}

/** Operations a scenario thread performs (the syscall layer). */
export enum OpKind {
  Close = 1,
  Dup = 2,
  Dup2 = 3,
  Replace = 4,
  EpollCtl = 5,
  Fget = 6,
  Fput = 7,
  EpollWait = 8,
  EpollCreate = 9,
  Fork = 10,
  PidfdGetfd = 11,
  /** The target's intercepted syscall traps into seccomp_do_user_notification and waits. */
  SeccompTrap = 12,
  /** Supervisor: SECCOMP_IOCTL_NOTIF_RECV. */
  NotifRecv = 13,
  /** Supervisor: SECCOMP_IOCTL_NOTIF_ADDFD {SETFD, newfd, srcfd}. */
  NotifAddfd = 14,
  /** Supervisor: SECCOMP_IOCTL_NOTIF_SEND. */
  NotifSend = 15,
  /** kcmp(pid1, pid2, KCMP_FILE, fd1, fd2): 0 if the same struct file. */
  Kcmp = 16,
  IoUringRegister = 17,
  IoUringUnregister = 18,
  IoUringIo = 19,
  /** expand_files -> expand_fdtable: publish a bigger fdtable (the old one is freed after a grace period). */
  ExpandFdtable = 20,
}

export enum EpollCtlOp {
  Add = 1,
  Del = 2,
  Mod = 3,
}

/** Kernel routines; each is a step program in model/routines/. */
export enum Routine {
  None = 0,
  Close = 1,
  Dup = 2,
  Dup2 = 3,
  Replace = 4,
  EpollCtl = 5,
  FgetOp = 6,
  FputOp = 7,
  Fget = 10,
  Fdget = 11,
  Fput = 12,
  FilpClose = 13,
  FinalFput = 14,
  EpInsert = 15,
  EpRemove = 16,
  EventpollReleaseFile = 17,
  EpFree = 18,
  RfcEpReplace = 19,
  RfcFdWalk = 20,
  AllocFd = 21,
  ReleaseFileRef = 22,
  EpClearAndPut = 23,
  EpollWait = 24,
  EpScan = 25,
  EpollCreate = 26,
  Fork = 27,
  PidfdGetfd = 28,
  EpLoopCheck = 29,
  RfcV7EpReplace = 30,
  SeccompTrap = 31,
  NotifRecv = 32,
  NotifAddfd = 33,
  NotifSend = 34,
  Kcmp = 35,
  IoUring = 36,
  ExpandFdtable = 37,
}

/** Why a state is bad. The first byte of every state; 0 = fine. */
export enum Viol {
  None = 0,
  /** E1/E8: a struct file was used after __fput freed it. */
  UafFile = 1,
  /** E1: an epitem was used after it was freed (a saved pointer outlived the item). */
  UafItem = 2,
  /** E1: a struct eventpoll was used after ep_free. */
  UafEp = 3,
  /** E2: fput on a file whose count is already zero. */
  RefUnderflow = 4,
  /** E3: a file's count differs from the number of holders (fd slots + references held by threads). */
  RefMismatch = 5,
  /** filp_close found f_count == 0 ("VFS: Close: file count is 0"). */
  CloseZeroCount = 6,
  /** E6: an epitem is in ep->rbr but not on file->f_ep, or the reverse, while ep->mtx is free. */
  Watchers = 7,
  /** E7: two epitems with the same (file, fd) key in one eventpoll. */
  DuplicateKey = 8,
  /** E14: a task acquired a lock it already holds (AA deadlock). */
  RecursiveLock = 9,
  /** E14: a task returned to user space with a lock held. */
  LockHeldAtReturn = 10,
  /** E3: a task returned to user space still holding a kernel reference it took (leak). */
  RefLeak = 11,
  /** E13: a sleeping step ran while the task held a spinlock. */
  SleepInAtomic = 12,
  /** The model's fixed capacity (epitem slots) was exceeded: not a kernel bug, a limit. */
  Capacity = 13,
  /** A file freed while a slot, epitem or thread still points at it (found by the state check). */
  DanglingFile = 14,
  /** E2: f_op->poll called on a file whose count already reached zero (CVE-2024-38580: a ->poll that takes a
   *  reference, like dma-buf's get_file, would increment a dead count). */
  PollDeadFile = 15,
  /** E4: ep->refcount dropped to zero where the caller must still hold a reference (WARN_ON_ONCE), or below. */
  EpRefcount = 16,
  /** E9: epolls watching each other in a cycle (the EP_MAX_NESTS depth is not checked: docs/model.md §G.11). */
  EpollCycle = 17,
  /** E15: a retry loop went round three times without anything it looks at changing (rfc-v7 cleanup, F.18). */
  Livelock = 18,
  /** E10: tfile_check_list is not empty while nobody holds the global epoll mutex (or was changed without it). */
  CheckListLeak = 19,
  /** E4: an epitem was inserted into an eventpoll whose epoll file was already released (an orphan, F.8a). */
  OrphanInsert = 20,
  /** E1: a walk went on with an fdtable that expand_fdtable replaced and RCU freed (F.11). */
  UafFdt = 21,
  /** lockdep "held lock freed!": an object was freed while a lock embedded in it was held. */
  FreeWhileLocked = 22,
  /** A lockless reader of a SLAB_TYPESAFE_BY_RCU struct file took its reference on the object that reused the
   *  memory and did not re-check that it is still the one it looked up: it now uses another file. */
  RcuIdentity = 23,
  /** E9: a chain of epolls watching epolls is longer than EP_MAX_NESTS (model/routines/loop_limits.ts). */
  EpollDepth = 24,
  /** E9: a non-epoll file has more wakeup paths of some depth than path_limits allows, or one deeper than
   *  EP_MAX_NESTS + 1 (reverse_path_check's rule, checked whenever the global epoll mutex is free). */
  PathLimit = 25,
}

/** What a step does to an object's memory (KASAN's access kinds plus lock operations on embedded locks). */
export enum Access {
  None = 0,
  Read = 1,
  Write = 2,
  Lock = 3,
  Unlock = 4,
  DoubleFree = 5,
  InvalidFree = 6,
}

/** Allocated kernel objects whose lifetime the model tracks. */
export enum MemObj {
  None = 0,
  File = 1,
  Eventpoll = 2,
  Epitem = 3,
  Fdtable = 4,
}

/** Field groups an access names (the member of the struct the kernel touches). */
export enum MemField {
  None = 0,
  /** struct file: f_count */
  Count = 1,
  /** struct file: f_lock */
  FLock = 2,
  /** struct file: f_ep */
  FEp = 3,
  /** struct file: f_op / private_data (vfs_poll, ->flush) */
  FOp = 4,
  /** struct eventpoll: mtx */
  Mtx = 5,
  /** struct eventpoll: refcount */
  Refcount = 6,
  /** struct eventpoll: rbr */
  Rbr = 7,
  /** struct epitem: fllink / rbn / ffd (the record itself) */
  Epitem = 8,
  /** struct fdtable: fd[] */
  Slots = 9,
  /** the whole object (kfree) */
  Whole = 10,
  /** struct eventpoll: refs (the f_ep list head of an epoll file) */
  Refs = 11,
}

/** Lock classes (docs/model.md §D.1). A lock id is (class << 8) | instance. */
export enum LockClass {
  FileTable = 1,
  FLock = 2,
  EpMtx = 3,
  Global = 4,
  /** seccomp filter->notify_lock (mutex). */
  Notify = 5,
  /** Not a lock: waiting for a completion or a notification state (blockedOn only). */
  Wait = 6,
  /** Not a lock: frozen by the cgroup freezer (userspace-frozen). */
  Freezer = 7,
}

/** Kernel variant toggles. Each bit models one kernel change; presets live in checker/variants.ts. */
export enum Toggle {
  /** 58c9b016e128 "epoll: use refcount to reduce ep_mutex contention" (v6.4): ep refcount, epi->dying,
   *  epnested_mutex only for the full check; no global mutex on the release paths. */
  EpRefcount = 1,
  /** RFC "file, epoll: Implement do_replace() and eventpoll_replace()" (2023, v2/v3 code as posted for v4):
   *  replace_fd re-keys every epitem of the old file and replaces every fd that refers to it. */
  RfcV4Replace = 2,
  /** 4efaa5acf0a1 "epoll: be better about file lifetimes" (v6.9, CVE-2024-38580): epi_fget in ep_item_poll. */
  EpiFget = 4,
  /** 8c2e52ebbe88 "eventpoll: don't decrement ep refcount while still holding the ep mutex" (v6.16). */
  UnlockBeforePut = 8,
  /** 4ff36ee94d93 "epoll: do not take the nested ep->mtx on EPOLL_CTL_DEL" (v3.13). */
  CtlDelNoNestedMtx = 16,
  /** a9ed4a6560b8 "epoll: Keep a reference on files added to the check list" (v5.9, CVE-2020-0466). */
  CheckListRef = 32,
  /** RFC v5..v7 (2023-04/05): seccomp ADDFD with SECCOMP_ADDFD_FLAG_REPLACE_REF calls eventpoll_replace_file(OLD,
   *  NEW, tfd) before receive_fd_replace; only items with ffd.fd == tfd move (docs/model.md §C.2). */
  RfcV7 = 64,
  /** RFC v6 (2023-05-23): eventpoll_replace_file takes ep->mtx while still holding the old file's f_lock. */
  RfcV6LockOrder = 128,
  /** RFC v2 fd walk: iterate_fd_locked() called without file_lock, pick_file() reading the slot back (docs/model.md §C.1, v2). */
  RfcWalkV2 = 256,
  /** userspace-frozen: the target process's other threads are frozen from NOTIF_RECV until the reply. */
  FrozenTarget = 512,
  /** 0ede61d8589c "file: convert to SLAB_TYPESAFE_BY_RCU" (v6.7): file_free is kmem_cache_free into a
   *  SLAB_TYPESAFE_BY_RCU cache (the memory may be reused at once by another struct file) instead of call_rcu. */
  FileTypesafeRcu = 1024,
  /** 054aa8d439b9 "fget: check that the fd still exists after getting a ref to it" (v5.16, CVE-2021-4083):
   *  __fget_files_rcu re-reads the slot after get_file_rcu and retries if it changed. */
  FgetRecheck = 2048,
  /** a6dc643c6931 "eventpoll: fix ep_remove struct eventpoll / struct file UAF" (2026; stable 7.0, 6.12, 6.6,
   *  5.15): ep_remove_safe pins the file with epi_fget before taking f_lock and bails if the count is zero, so a
   *  racing __fput can no longer see the transient f_ep == NULL and free the file (or the watched eventpoll). */
  EpRemovePin = 4096,
  /** f2e467a48287 "eventpoll: Fix semi-unbounded recursion" (v6.16): ep_loop_check also measures the depth above
   *  the epoll being inserted into (ep_get_upwards_depth_proc). */
  UpwardsDepth = 8192,
  /** 22bacca48a17 "epoll: prevent creating circular epoll structures" (v2.6.38): EPOLL_CTL_ADD of an epoll file
   *  takes the global mutex and runs ep_loop_check before inserting. */
  LoopCheck = 16384,
  /** 28d82dc1c4ed "epoll: limit paths" (v3.3, CVE-2011-1083): files met by the loop check (and the target) go on
   *  tfile_check_list, ep_insert runs reverse_path_check against path_limits; the loop check memoises visited epolls. */
  LimitPaths = 32768,
  /** 13d518074a95 "epoll: clear the tfile_check_list on -ELOOP" (v3.4, CVE-2012-3375). */
  EloopClearCheckList = 65536,
  /** 67347fe4e632 "epoll: do not take global 'epmutex' for simple topologies" (v3.13): only an ADD into a watched
   *  epoll or of an epoll target takes the full check; before it every ADD took epmutex before ep->mtx. */
  FullCheckNarrow = 131072,
  /** fe0a916c1eae "epoll: EPOLL_CTL_ADD: close the race in decision to take fast path" (v5.9): the fast-path test
   *  also reads ep->gen == loop_check_gen. */
  FastPathGen = 262144,
  /** 77f4689de17c "fix regression from a9ed4a6560b8 (...)" (v5.9): get_file_rcu instead of get_file for files the
   *  loop check puts on tfile_check_list (a file whose count already reached zero is skipped). */
  CheckListRcu = 524288,
  /** 319c15174757 "epoll: take epitem list out of struct file" (v5.11): file->f_ep hlist head (ep->refs or a
   *  separately allocated epitems_head) instead of the f_ep_links list_head in struct file; the check list chains
   *  epitems_head and holds no file references. */
  FepHlist = 1048576,
  /** fdcfce93073d "eventpoll: Fix integer overflow in ep_loop_check_proc()" (v7.0): a loop found below the top of
   *  the walk returns EP_MAX_NESTS + 1 instead of INT_MAX, whose + 1 wrapped and lost the error. */
  LoopDepthOverflow = 2097152,
  // fs/file.c, fs/file_table.c and seccomp addfd history (bits 1<<23 .. 1<<30; checker/history/file-fixes.ts).
  /** 5ba97d2832f8 "fs/file.c: __fget() and dup2() atomicity rules" (v4.2): a get_file_rcu that finds the count
   *  zero makes __fget read the slot again instead of returning NULL. */
  FgetDup2Retry = 8388608,
  /** 8a81252b774b "fs/file.c: don't acquire files->file_lock in fd_install()" (v4.2). */
  FdInstallLockless = 16777216,
  /** 4a9d4b024a31 "switch fput to task_work_add" (v3.6): the final fput queues __fput on task_work. */
  FputTaskWork = 33554432,
  /** 90ee6ed776c0 "fs: port files to file_ref" (v6.13): file_ref_put is a decrement to FILE_REF_NOREF and then
   *  cmpxchg(NOREF, DEAD); a file_ref_get between the two revives the file. */
  FileRef = 67108864,
  /** a914bd93f3ed "fs: use fput_close() in filp_close()" (v6.15): filp_close puts with file_ref_put_close, one
   *  cmpxchg (no FILE_REF_NOREF window). */
  FputClose = 134217728,
}

/** Opcodes of the expectation bytecode (checker/compile/predicates.ts emits, model/predicates.ts runs). */
export enum PredOp {
  End = 0,
  /** table lo hi file(0xFF = none) -> all slots in [lo,hi] equal file */
  FdAll = 1,
  /** table lo hi file -> no slot in [lo,hi] equals file */
  FdNone = 2,
  /** ep file fd -> count of epitems in rbr keyed (file, fd) */
  Count = 3,
  /** file -> f_count */
  Ref = 4,
  /** file -> life state (Life) */
  LifeOf = 5,
  /** thread op -> return value (signed) */
  Ret = 6,
  /** thread -> 1 if finished */
  Done = 7,
  /** push a constant (signed 16-bit) */
  Const = 8,
  /** cmp: pops b, a; pushes a CMP b */
  Eq = 9,
  Ne = 10,
  Lt = 11,
  Le = 12,
  Gt = 13,
  Ge = 14,
  And = 15,
  Or = 16,
  Not = 17,
  /** -> 1 if some epitem (F, n) of some epoll E is stale: no table holding E has fd n referring to F (E19) */
  Stale = 18,
  /** ep file fd -> data of the first epitem keyed (file, fd) in ep's rbr, or -1 */
  Data = 19,
  /** ep -> number of epitems in ep's rbr */
  Items = 20,
  /** -> the G_SEM flags of the state */
  Sem = 21,
  /** -> 1 if some io_uring fixed slot holds a file its registering fd no longer refers to (E21) */
  UringStale = 22,
  /** -> 1 if every eventpoll's refcount equals its holders: 1 for a live epoll file + 1 per epitem (E4, at rest) */
  EpRefsOk = 23,
  // Atoms of model/atoms.ts (T.op[K].ret, lock state, items, lifetimes, T at FUNCTION, quiescent).
  /** thread op -> 1 if op `op` of the thread has returned (its return slot is filled) */
  Returned = 24,
  /** lock-class instance -> owner thread + 1, 0 when free */
  LockOwner = 25,
  /** lock-class instance -> number of threads whose next step waits for the lock */
  LockWaiters = 26,
  /** ep file fd -> event byte of the first epitem keyed (file, fd) in ep's rbr, or -1 */
  Events = 27,
  /** ep -> ep->refcount */
  EpRef = 28,
  /** ep -> EpLife of the eventpoll */
  EpLifeOf = 29,
  /** ep file fd -> 0 no epitem keyed (file, fd) in ep's rbr, 1 one that is not dying, 2 one with epi->dying */
  ItemState = 30,
  /** thread routine -> 1 if the thread's top frame runs `routine` (0: the thread is in user space) */
  At = 31,
  /** -> 1 if no thread is inside the kernel (a syscall or task_work) */
  Quiescent = 32,
  /** j -> 1 if this state was made by the return of the j-th watched op (`when T.op[K] returns`) */
  JustReturned = 33,
  /** cmp: pops mask, value; pushes value >= 0 && (value & mask) == mask */
  HasBits = 34,
}

/** Expectation modality, as stored in the kernel's expectation table. */
export enum Modality {
  Always = 0,
  Never = 1,
  AtEnd = 2,
  Sometimes = 3,
}

/** Result of one attempted step. */
export enum StepStatus {
  Ok = 0,
  /** The thread's next step waits for a lock held by another thread: not enabled. */
  Blocked = 1,
  /** The thread has nothing left to do. */
  Finished = 2,
}
