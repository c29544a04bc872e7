// State layout: every kernel object is a few bytes at a computed offset inside one flat state vector, so that a
// state can be copied, hashed and compared as raw bytes. No managed objects here: this file runs in the hot path.
//
// The host (checker/compile/) writes the scenario's configuration at CFG and then calls configure(), which derives
// the offsets below. All offsets are relative to the start of a state vector.

import { Addr, Cap, Cfg } from './abi';

/** Configuration block written by the host (model/abi.ts: the one place these numbers are written). */
export const CFG: usize = <usize>Addr.Cfg;
export const CFG_SIZE: usize = <usize>Addr.CfgSize;
/** Scratch states used by the kernel itself (replay, enabledness probes). */
export const SCRATCH: usize = <usize>Addr.Scratch;

// Configuration block offsets (bytes from CFG), documented in model/abi.ts.
export const C_NTABLES = Cfg.NTables;
export const C_NSLOTS = Cfg.NSlots;
export const C_NFILES = Cfg.NFiles;
export const C_NEPOLLS = Cfg.NEpolls;
export const C_NTHREADS = Cfg.NThreads;
export const C_NITEMS = Cfg.NItems;
export const C_FAULTS = Cfg.Faults;
export const C_MAXWATCH = Cfg.MaxWatch;
export const C_TOGGLES = Cfg.Toggles;
export const C_NEXPECT = Cfg.NExpect;
export const C_URING = Cfg.Uring;
export const C_TARGET = Cfg.Target;
export const C_MAXOPS = Cfg.MaxOps;
export const C_FILE_KIND = Cfg.FileKind;
export const C_FILE_EP = Cfg.FileEp;
export const C_EP_FILE = Cfg.EpFile;
export const C_TABLE_USERS = Cfg.TableUsers;
export const C_THREAD_TABLE = Cfg.ThreadTable;
export const C_THREAD_NOPS = Cfg.ThreadNops;
export const C_OPS = Cfg.Ops;
export const OP_BYTES = Cap.OpBytes;
export const MAX_OPS = Cap.Ops;
export const C_EXPECT = Cfg.Expect;
export const C_CODE = Cfg.Code;
export const C_INIT_SLOTS = Cfg.InitSlots;
export const C_INIT_ITEMS = Cfg.InitItems;
export const C_UNBORN = Cfg.Unborn;
export const C_LOCK_EDGES = Cfg.LockEdges;
export const C_REACH = Cfg.Reach;
export const C_PSTACK = Cfg.PStack;

export const MAX_FILES = Cap.Files;
export const MAX_EPOLLS = Cap.Epolls;
export const MAX_THREADS = Cap.Threads;
export const MAX_TABLES = Cap.Tables;
export const MAX_SLOTS = Cap.Slots;
export const MAX_ITEMS = Cap.Items;

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
