// State layout: every kernel object is a few bytes at a computed offset inside one flat state vector, so that a
// state can be copied, hashed and compared as raw bytes. No managed objects here: this file runs in the hot path.
//
// The host (checker/compile/) writes the scenario's configuration at CFG and then calls configure(), which derives
// the offsets below. All offsets are relative to the start of a state vector.

/** Configuration block written by the host. */
export const CFG: usize = 16384;
export const CFG_SIZE: usize = 8192;
/** Scratch states used by the kernel itself (replay, enabledness probes). */
export const SCRATCH: usize = CFG + CFG_SIZE;

// Configuration block offsets (bytes from CFG).
export const C_NTABLES = 0;
export const C_NSLOTS = 1;
export const C_NFILES = 2;
export const C_NEPOLLS = 3;
export const C_NTHREADS = 4;
export const C_NITEMS = 5;
export const C_FAULTS = 6;
export const C_MAXWATCH = 7;
export const C_TOGGLES = 8; // u32
export const C_NEXPECT = 12;
export const C_MAXOPS = 13;
export const C_FILE_KIND = 16; // [16] Kind
export const C_FILE_EP = 32; // [16] epoll index of an epoll file, 0xFF otherwise
export const C_EP_FILE = 48; // [8] file index of each epoll
export const C_TABLE_USERS = 56; // [8] tasks sharing each files_struct (fdget borrows when 1)
export const C_THREAD_TABLE = 64; // [8]
export const C_THREAD_NOPS = 72; // [8]
export const C_OPS = 128; // [8 threads][32 ops][8 bytes]: kind, a, b, c, d, e, 0, 0
export const OP_BYTES = 8;
export const MAX_OPS = 32;
export const C_EXPECT = 2176; // [32] modality u8, pad u8, code offset u16 (from C_CODE)
export const C_CODE = 2304; // predicate bytecode, up to C_INIT_SLOTS
export const C_INIT_SLOTS = 4096; // [8 tables][64] initial slot contents (file + 1, 0 empty)
export const C_INIT_ITEMS = 4608; // count u8, then [n][5]: ep, file, fd, events, data
export const C_PSTACK = 7936; // predicate evaluation stack (64 x i32)

export const MAX_FILES = 16;
export const MAX_EPOLLS = 8;
export const MAX_THREADS = 8;
export const MAX_TABLES = 8;
export const MAX_SLOTS = 64;
export const MAX_ITEMS = 120;

// Slot encoding in an fd table: 0 empty, RESERVED between alloc_fd and fd_install, else file index + 1.
export const SLOT_EMPTY: u8 = 0;
export const SLOT_RESERVED: u8 = 0xff;

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
export const IF_RBR: u8 = 1; // linked in ep->rbr
export const IF_FEP: u8 = 2; // linked on file->f_ep
export const IF_DYING: u8 = 4; // epi->dying (current)
export const IF_PWQ: u8 = 8; // poll wait entry registered on the file's wait queue

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
export const MAX_DEPTH = 5;
export const FR_ROUTINE = 0;
export const FR_PC = 1;
export const FR_R = 2; // r0..r7
export const FR_EPI = 10; // epitem pointer (item + 1; DANGLING bit once the item is freed)
export const FR_NXT = 11; // saved next epitem pointer (hlist_for_each_entry_safe)
export const FR_SIZE = 12;
export const DANGLING: u8 = 0x80;

// Derived by configure().
export let nTables: i32 = 0;
export let nSlots: i32 = 0;
export let nFiles: i32 = 0;
export let nEpolls: i32 = 0;
export let nThreads: i32 = 0;
export let nItems: i32 = 0;
export let maxOps: i32 = 0;
export let toggles: u32 = 0;
export let offTables: i32 = 0;
export let tableStride: i32 = 0;
export let offFiles: i32 = 0;
export let offEpolls: i32 = 0;
export let offItems: i32 = 0;
export let offThreads: i32 = 0;
export let threadStride: i32 = 0;
export let offFrames: i32 = 0;
export let stateSize: i32 = 0;

export function configure(): i32 {
  nTables = load<u8>(CFG + C_NTABLES);
  nSlots = load<u8>(CFG + C_NSLOTS);
  nFiles = load<u8>(CFG + C_NFILES);
  nEpolls = load<u8>(CFG + C_NEPOLLS);
  nThreads = load<u8>(CFG + C_NTHREADS);
  nItems = load<u8>(CFG + C_NITEMS);
  maxOps = load<u8>(CFG + C_MAXOPS);
  toggles = load<u32>(CFG + C_TOGGLES);
  if (nTables > MAX_TABLES || nSlots > MAX_SLOTS || nFiles > MAX_FILES || nEpolls > MAX_EPOLLS) return -1;
  if (nThreads > MAX_THREADS || nItems > MAX_ITEMS || maxOps > MAX_OPS) return -1;
  offTables = G_SIZE;
  tableStride = 1 + nSlots; // file_lock owner, then the slots
  offFiles = offTables + nTables * tableStride;
  offEpolls = offFiles + nFiles * F_SIZE;
  offItems = offEpolls + nEpolls * E_SIZE;
  offThreads = offItems + nItems * I_SIZE;
  offFrames = T_RETS + maxOps;
  threadStride = offFrames + MAX_DEPTH * FR_SIZE;
  stateSize = offThreads + nThreads * threadStride;
  return stateSize;
}

export function toggle(bit: u32): bool {
  return (toggles & bit) != 0;
}

// ---- addresses inside the current state --------------------------------------------------------------

/** The state being read or written by the kernel. */
export let S: usize = 0;
export function setState(p: usize): void {
  S = p;
}

// @ts-ignore: decorator
@inline export function gAddr(field: i32): usize {
  return S + <usize>field;
}
// @ts-ignore: decorator
@inline export function tableAddr(t: i32): usize {
  return S + <usize>(offTables + t * tableStride);
}
// @ts-ignore: decorator
@inline export function slotAddr(t: i32, fd: i32): usize {
  return S + <usize>(offTables + t * tableStride + 1 + fd);
}
// @ts-ignore: decorator
@inline export function fileAddr(f: i32): usize {
  return S + <usize>(offFiles + f * F_SIZE);
}
// @ts-ignore: decorator
@inline export function epAddr(e: i32): usize {
  return S + <usize>(offEpolls + e * E_SIZE);
}
// @ts-ignore: decorator
@inline export function itemAddr(i: i32): usize {
  return S + <usize>(offItems + i * I_SIZE);
}
// @ts-ignore: decorator
@inline export function threadAddr(t: i32): usize {
  return S + <usize>(offThreads + t * threadStride);
}

// ---- configuration reads -------------------------------------------------------------------------------

// @ts-ignore: decorator
@inline export function fileKind(f: i32): i32 {
  return load<u8>(CFG + C_FILE_KIND + <usize>f);
}
// @ts-ignore: decorator
@inline export function fileEp(f: i32): i32 {
  return load<u8>(CFG + C_FILE_EP + <usize>f);
}
// @ts-ignore: decorator
@inline export function epFile(e: i32): i32 {
  return load<u8>(CFG + C_EP_FILE + <usize>e);
}
// @ts-ignore: decorator
@inline export function threadTable(t: i32): i32 {
  return load<u8>(CFG + C_THREAD_TABLE + <usize>t);
}
// @ts-ignore: decorator
@inline export function threadNops(t: i32): i32 {
  return load<u8>(CFG + C_THREAD_NOPS + <usize>t);
}
// @ts-ignore: decorator
@inline export function tableUsers(t: i32): i32 {
  return load<u8>(CFG + C_TABLE_USERS + <usize>t);
}
// @ts-ignore: decorator
@inline export function opAddr(t: i32, k: i32): usize {
  return CFG + C_OPS + <usize>((t * MAX_OPS + k) * OP_BYTES);
}
