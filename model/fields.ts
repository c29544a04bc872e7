// Field offsets inside a state vector's records. Valid in AssemblyScript and TypeScript (plain constants, no
// types, no imports): the kernel uses them to lay states out, the checker's trace decoder to read them back.

// Slot encoding in an fd table: 0 empty, RESERVED between alloc_fd and fd_install, else file index + 1.
export const SLOT_EMPTY = 0;
export const SLOT_RESERVED = 0xff;

// fd table record: files->file_lock owner, the generation of files->fdt (bumped when expand_fdtable publishes a
// new table; the old one is freed after an RCU grace period), then the slots.
export const TB_LOCK = 0;
export const TB_GEN = 1;
export const TB_SLOTS = 2;

// Global header of a state.
export const G_VIOL = 0; // Viol
export const G_VIOL_OBJ = 1; // object the violation is about
export const G_GMTX = 2; // owner (thread + 1) of the global epoll mutex (epmutex / epnested_mutex)
export const G_FAULTS = 3; // faults injected so far
export const G_WATCHES = 4; // the user's epoll_watches counter
export const G_LOOPGEN = 5; // loop_check_gen (low byte; only equality matters)
export const G_TFILE_LIST = 6; // u16 bitmask: files whose epitems_head is on tfile_check_list
export const G_SEM = 8; // semantic flags set by replace designs (SEM_* below)
export const G_NOTIF = 9; // seccomp notification state (NOTIF_*)
export const G_REQ_FD = 10; // queued ADDFD request: target fd
export const G_REQ_FILE = 11; // queued ADDFD request: file + 1 (0 = no request)
export const G_REQ_RET = 12; // i8 result of the last completed request
export const G_REQ_STATE = 13; // REQ_*
export const G_NL = 14; // owner of the seccomp filter's notify_lock
export const G_VIOL_KIND = 15; // Access kind of a no-uaf violation (0 otherwise)
export const G_RETURNED = 16; // watched return mark (model/atoms.ts); its own byte: it shared 15 with G_VIOL_KIND
export const G_SIZE = 17;

// G_SEM bits: what a replace did beyond the fd it was asked to replace.
export const SEM_OTHER_FD = 1; // wrote an fd slot other than the requested one
export const SEM_CROSS_PROCESS = 2; // re-keyed an epitem of an epoll the target's table does not hold

// Seccomp user notification (one per scenario): kernel/seccomp.c states.
export const NOTIF_NONE = 0; // no notification yet (the target has not trapped)
export const NOTIF_INIT = 1; // the target trapped and waits; the supervisor has not received it
export const NOTIF_SENT = 2; // received by the supervisor (SECCOMP_IOCTL_NOTIF_RECV), not answered
export const NOTIF_REPLIED = 3; // answered (SECCOMP_IOCTL_NOTIF_SEND)
export const REQ_NONE = 0;
export const REQ_QUEUED = 1; // an ADDFD request waits for the target to install it
export const REQ_DONE = 2; // the target completed it (G_REQ_RET holds the result)

// io_uring fixed-file table (one ring per scenario): slots of [file + 1, fd it was registered from, table].
export const U_SLOTS = 4;
export const U_SIZE = 4;

// File record.
export const F_REF = 0;
export const F_LIFE = 1;
export const F_LOCK = 2; // f_lock owner
export const F_RCU = 3; // after the free: threads (bit t) whose read-side section began before it and still hold the pointer
export const F_REUSE = 4; // SLAB_TYPESAFE_BY_RCU: file + 1 now living in this struct file's memory (0 = none)
export const F_EPNULL = 5; // 1: __ep_remove published f_ep = NULL, its last epitem not yet unlinked (hlist_del_rcu)
export const F_SIZE = 6;

// Eventpoll record.
export const E_MTX = 0; // ep->mtx owner
export const E_REF = 1; // ep->refcount (current)
export const E_LIFE = 2; // EpLife
export const E_GEN = 3; // ep->gen
export const E_SIZE = 4;

// Epitem record. I_EP == 0 means the slot is free.
export const I_EP = 0; // epoll index + 1
export const I_FILE = 1;
export const I_FD = 2;
export const I_EVENTS = 3;
export const I_DATA = 4;
export const I_FPOS = 5; // position on file->f_ep (0 = head: hlist_add_head_rcu puts new items first)
export const I_FLAGS = 6;
export const I_SIZE = 8;
export const IF_RBR = 1; // linked in ep->rbr
export const IF_FEP = 2; // linked on file->f_ep
export const IF_DYING = 4; // epi->dying (current)
export const IF_PWQ = 8; // poll wait entry registered on the file's wait queue

// Thread record.
export const T_OPIDX = 0; // next op to start (ops before it are finished or running)
export const T_DEPTH = 1; // frames in use; 0 = in user space
export const T_PENDING = 2; // u16 files whose deferred __fput is queued on this task's task_work
export const T_RV = 4; // value returned by the last routine that returned to a caller
export const T_OPRET = 5; // the running syscall's return value (i8)
export const T_UHELD = 6; // file + 1 held by the scenario's fget() (a one-deep stack per thread)
export const T_FLAGS = 7;
export const T_HELD = 8; // [6] references held by the running syscall: file + 1, sorted descending
export const NHELD = 6;
export const T_RETS = 14; // [maxOps] i8 return value of each finished op
// then frames: [MAX_DEPTH][FR_SIZE]
export const MAX_DEPTH = 6;
export const FR_ROUTINE = 0;
export const FR_PC = 1;
export const FR_R = 2; // r0..r7
export const FR_EPI = 10; // epitem pointer (item + 1; DANGLING bit once the item is freed)
export const FR_NXT = 11; // saved next epitem pointer (hlist_for_each_entry_safe)
export const FR_SIZE = 12;
export const DANGLING = 0x80;

