// Field offsets inside a state vector's records. Valid in AssemblyScript and TypeScript (plain constants, no
// types, no imports): the kernel uses them to lay states out, the checker's trace decoder to read them back.

// Slot encoding in an fd table: 0 empty, RESERVED between alloc_fd and fd_install, else file index + 1.
export const SLOT_EMPTY = 0;
export const SLOT_RESERVED = 0xff;

// Global header of a state.
export const G_VIOL = 0; // Viol
export const G_VIOL_OBJ = 1; // object the violation is about
export const G_GMTX = 2; // owner (thread + 1) of the global epoll mutex (epmutex / epnested_mutex)
export const G_FAULTS = 3; // faults injected so far
export const G_WATCHES = 4; // the user's epoll_watches counter
export const G_LOOPGEN = 5; // loop_check_gen (low byte; only equality matters)
export const G_TFILE_LIST = 6; // u16 bitmask: files whose epitems_head is on tfile_check_list
export const G_SIZE = 8;

// File record.
export const F_REF = 0;
export const F_LIFE = 1;
export const F_LOCK = 2; // f_lock owner
export const F_SIZE = 4;

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

