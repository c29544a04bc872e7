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
export const C_URING = 14; // 1 if the scenario uses io_uring (the ring's fixed table is in the state)
export const C_TARGET = 15; // table of the seccomp target (the process that traps), 0xFF if none
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
export const C_UNBORN = 4864; // u16: files created by an op (epoll_create) rather than present at the start
export const C_LOCK_EDGES = 5120; // [33][33] u16: lock-order edges seen in the whole exploration (not state)
export const C_REACH = 7872; // [8] u32 scratch for the epoll-cycle check
export const C_PSTACK = 7936; // predicate evaluation stack (64 x i32)

export const MAX_FILES = 16;
export const MAX_EPOLLS = 8;
export const MAX_THREADS = 8;
export const MAX_TABLES = 8;
export const MAX_SLOTS = 64;
export const MAX_ITEMS = 120;

export * from './fields';
import { F_SIZE, E_SIZE, FR_SIZE, G_SIZE, I_SIZE, MAX_DEPTH, T_RETS, TB_SLOTS, U_SIZE, U_SLOTS } from './fields';

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
export let offUring: i32 = 0;
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
  tableStride = TB_SLOTS + nSlots; // file_lock owner, fdt generation, then the slots
  offFiles = offTables + nTables * tableStride;
  offEpolls = offFiles + nFiles * F_SIZE;
  offItems = offEpolls + nEpolls * E_SIZE;
  offUring = offItems + nItems * I_SIZE;
  offThreads = offUring + (load<u8>(CFG + C_URING) != 0 ? U_SLOTS * U_SIZE : 0);
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
  return S + <usize>(offTables + t * tableStride + TB_SLOTS + fd);
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
@inline export function uringAddr(k: i32): usize {
  return S + <usize>(offUring + k * U_SIZE);
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
