// The engine's configuration: written once into the control block by eSetup (the host's choices) and eInit (sizes
// derived from the kernel), then copied into each instance's globals, so that the hot loop reads globals only.

import { StorageCode, StrategyCode } from '../../model/abi';
import { CTRL, X_CONFIG } from './shared';

export const STORAGE_FULL: i32 = StorageCode.Full;
export const STORAGE_FINGERPRINT: i32 = StorageCode.Fingerprint;
export const STORAGE_BITSTATE: i32 = StorageCode.Bitstate;
export const STORAGE_COLLAPSE: i32 = StorageCode.Collapse;

export const STRATEGY_BFS: i32 = StrategyCode.Bfs;
export const STRATEGY_DFS: i32 = StrategyCode.Dfs;
export const STRATEGY_RANDOM: i32 = StrategyCode.Random;
export const STRATEGY_PB: i32 = StrategyCode.Pb;

// Field offsets inside X_CONFIG (u32 each).
const F_STORAGE: usize = 0;
const F_STRATEGY: usize = 4;
const F_POR: usize = 8;
const F_SLEEP: usize = 12;
const F_SYM: usize = 16;
const F_HASHES: usize = 20;
const F_STATE_BYTES: usize = 24;
const F_REC_SIZE: usize = 28;
const F_NTHREADS: usize = 32;
const F_MAX_DEPTH: usize = 36;
const F_SUCC_STRIDE: usize = 40;
const F_BITS_LOG2: usize = 44;
const F_MAX_PRE: usize = 48;
const F_CHECK_BOUNDS: usize = 52;
const F_NPRED: usize = 56; // expectations that must be judged on every state (always/never/sometimes)
const F_NEXPECT: usize = 60;
const F_FAULTS: usize = 64;
const F_KEY_EXTRA: usize = 68; // pb: the last thread is part of the key
const F_TERMS: usize = 72; // collect terminal hashes: 0 no, 1 raw, 2 canonical
const F_BIT_SALT: usize = 76; // bitstate: salt of the k bit positions (swarm members use different ones)
// Collapse storage runs as full storage (records, same paths) whose records hold component vectors.
const F_COLLAPSE: usize = 80;
const F_COLLAPSE_SLOTS: usize = 84; // log2 of the component tables' first size (0: the default; tests make it small)
const F_TRANS: usize = 88; // transaction reduction: bit 0 on, 1 check movers, 2 test: every step a mover (transaction.ts)
const F_DPOR: usize = 96; // dynamic partial-order reduction (dfs): 0 off, 1 stateless, 2 stateful (dpor.ts)

export let storage: i32 = 0;
export let strategy: i32 = 0;
export let por: bool = false;
export let sleepSets: bool = false;
export let symmetry: bool = false;
export let hashes: i32 = 3;
export let stateBytes: usize = 0;
export let recSize: usize = 0;
export let nThreadsCfg: i32 = 0;
export let maxDepth: i32 = 65535;
export let succStride: usize = 0;
export let bitsLog2: i32 = 0;
export let maxPreemptions: i32 = 255;
export let checkBounds: bool = false;
export let nPred: i32 = 0;
export let nExpect: i32 = 0;
export let faultBudget: i32 = 0;
export let keyExtra: bool = false;
export let collectTerminals: i32 = 0;
export let bitSalt: u32 = 0;
/** Records hold vectors of component ids (collapse.ts) instead of states; `storage` is then STORAGE_FULL. */
export let collapse: bool = false;
export let collapseSlotsLog2: u32 = 0;
export let transactions: bool = false;
export let checkMovers: bool = false;
export let naiveMovers: bool = false;
/** Dynamic partial-order reduction of the depth-first search: 0 off, 1 stateless, 2 stateful (dpor.ts). */
export let dpor: i32 = 0;
/** Tests of the lockset discipline check only (model/index.ts kLocksetTest): 1 declare every field group locked
 *  whatever the variant does, 2 leave close() out of the slot bounds. */
export let locksetTest: u32 = 0;

function cfg(off: usize): u32 {
  return load<u32>(CTRL + X_CONFIG + off);
}
export function setCfg(off: usize, v: u32): void {
  store<u32>(CTRL + X_CONFIG + off, v);
}

/** Host choices (eSetup). */
export function writeChoices(
  st: i32, strat: i32, p: bool, sl: bool, sym: bool, k: i32, mdepth: i32, bits: i32, maxPre: i32, chk: bool,
): void {
  setCfg(F_STORAGE, st);
  setCfg(F_STRATEGY, strat);
  setCfg(F_POR, p ? 1 : 0);
  setCfg(F_SLEEP, sl ? 1 : 0);
  setCfg(F_SYM, sym ? 1 : 0);
  setCfg(F_HASHES, k);
  setCfg(F_MAX_DEPTH, mdepth);
  setCfg(F_BITS_LOG2, bits);
  setCfg(F_MAX_PRE, maxPre);
  setCfg(F_CHECK_BOUNDS, chk ? 1 : 0);
  setCfg(F_KEY_EXTRA, strat == STRATEGY_PB ? 1 : 0);
  setCfg(F_TERMS, 0);
  setCfg(F_BIT_SALT, 0);
  setCfg(F_COLLAPSE, 0);
  setCfg(F_COLLAPSE_SLOTS, 0);
  setCfg(F_TRANS, 0);
  setCfg(F_DPOR, 0);
}

/** Sizes derived from the kernel (eInit). */
export function writeSizes(sb: i32, nth: i32, npred: i32, nexp: i32, faults: i32, symOn: bool, sleepOn: bool, porOn: bool): void {
  setCfg(F_STATE_BYTES, sb);
  setCfg(F_REC_SIZE, 12 + sb);
  setCfg(F_NTHREADS, nth);
  setCfg(F_SUCC_STRIDE, 128 + sb);
  setCfg(F_NPRED, npred);
  setCfg(F_NEXPECT, nexp);
  setCfg(F_FAULTS, faults);
  setCfg(F_SYM, symOn ? 1 : 0);
  setCfg(F_SLEEP, sleepOn ? 1 : 0);
  setCfg(F_POR, porOn ? 1 : 0);
}

/** Copy the configuration into this instance's globals. */
export function loadConfig(): void {
  storage = cfg(F_STORAGE);
  strategy = cfg(F_STRATEGY);
  por = cfg(F_POR) != 0;
  sleepSets = cfg(F_SLEEP) != 0;
  symmetry = cfg(F_SYM) != 0;
  hashes = cfg(F_HASHES);
  stateBytes = cfg(F_STATE_BYTES);
  recSize = cfg(F_REC_SIZE);
  nThreadsCfg = cfg(F_NTHREADS);
  maxDepth = cfg(F_MAX_DEPTH);
  succStride = cfg(F_SUCC_STRIDE);
  bitsLog2 = cfg(F_BITS_LOG2);
  maxPreemptions = cfg(F_MAX_PRE);
  checkBounds = cfg(F_CHECK_BOUNDS) != 0;
  nPred = cfg(F_NPRED);
  nExpect = cfg(F_NEXPECT);
  faultBudget = cfg(F_FAULTS);
  keyExtra = cfg(F_KEY_EXTRA) != 0;
  collectTerminals = cfg(F_TERMS);
  bitSalt = cfg(F_BIT_SALT);
  collapse = cfg(F_COLLAPSE) != 0;
  collapseSlotsLog2 = cfg(F_COLLAPSE_SLOTS);
  transactions = (cfg(F_TRANS) & 1) != 0;
  checkMovers = (cfg(F_TRANS) & 2) != 0;
  naiveMovers = (cfg(F_TRANS) & 4) != 0;
  dpor = <i32>cfg(F_DPOR);
  locksetTest = (cfg(F_TRANS) >> 3) & 3;
}

/** Collapse storage: the component tables' first size, 2^log2 slots (after eSetup, before eInit). */
export function setCollapseSlots(log2: u32): void {
  setCfg(F_COLLAPSE_SLOTS, log2);
}

/** eInit: collapse storage becomes full storage over vectors of `vecBytes` (records: header + vector). */
export function setCollapse(vecBytes: usize): void {
  setCfg(F_STORAGE, STORAGE_FULL);
  setCfg(F_COLLAPSE, 1);
  setCfg(F_REC_SIZE, 12 + <u32>vecBytes);
}

export function setCollectTerminals(mode: i32): void {
  setCfg(F_TERMS, mode);
}

/** Bitstate: another family of hash functions (after eSetup, before eInit). 0 is the default family. */
export function setBitSalt(salt: u32): void {
  setCfg(F_BIT_SALT, salt);
}

/** Transaction reduction (after eSetup, before eInit): bit 0 on, bit 1 also check the movers, bit 2 (tests) every
 *  step a both-mover, bit 3 (tests) every lockset group declared locked (model/lockset.ts). */
export function setTransactions(mode: u32): void {
  setCfg(F_TRANS, mode);
}

/** Dynamic partial-order reduction (after eSetup, before eInit): 0 off, 1 stateless, 2 stateful. */
export function setDpor(mode: u32): void {
  setCfg(F_DPOR, mode);
}
