// Engine state that all instances on one (possibly shared) memory see: a control block at a fixed address, atomic
// helpers that compile to plain loads and stores in the single-threaded build (ASC_FEATURE_THREADS is a
// compile-time constant), spin locks, and the allocator. Nothing here allocates managed objects: several
// instances run this code on one memory at once (toolchain notes, gotcha 6).

/** The control block (shared): counters, pointers, locks. 8 KiB at a fixed address below the heap. */
export const CTRL: usize = 40960;
/** Reports: [64] x 16 bytes. */
export const REPORTS: usize = 49152;
/** Regions of the kernel-side search helpers (model/search_*.ts). */
export const BOUNDS_AREA: usize = 57344; // 4320 B
export const PROPS_AREA: usize = 61696; // 280 B
export const SYM_AREA: usize = 62208; // 288 B
export const HEAP_START: usize = 65536;

// Control block fields (byte offsets from CTRL). u64 fields are 8-aligned.
export const X_ALLOC_LOCK: usize = 0;
export const X_REPORT_LOCK: usize = 4;
export const X_PRED_LOCK: usize = 8;
export const X_TOP: usize = 12; // bump pointer
export const X_MAX: usize = 16; // memory cap (bytes), 0 = 4 GiB
export const X_STOP: usize = 20; // set by the host: stop at the next safe point
export const X_OOM: usize = 24;
export const X_FREE_BYTES: usize = 28;
export const X_TABLE: usize = 32; // visited table / bit array
export const X_CAP: usize = 36; // slots (or bit-array words)
export const X_USED: usize = 2048; // hot counters: one cache line each (no false sharing between workers)
export const X_GROW_AT: usize = 44;
export const X_BITMAP: usize = 48; // per-slot "inserted in this level" bits (fingerprint BFS with POR)
export const X_COUNT: usize = 2112; // records (full) / sequence numbers handed out (fingerprint, bitstate)
export const X_DEAD: usize = 56; // records lost in an insertion race (threaded)
export const X_LS: usize = 60; // current level: records [LS, LE) (full) or queue entries [0, LE-LS)
export const X_LE: usize = 64;
export const X_CURSOR: usize = 2176; // work handed out in this level
export const X_NEXTN: usize = 2240; // entries in the next-level queue (fingerprint, bitstate)
export const X_REOPEN_CUR: usize = 76; // re-expansions queued for this level (sleep sets)
export const X_REOPEN_NEXT: usize = 80;
export const X_SOMETIMES: usize = 84;
export const X_NREPORTS: usize = 88;
export const X_MAXDEPTH: usize = 92;
export const X_TERMINALS: usize = 96;
export const X_BOUNDERR: usize = 100; // a step outside its thread's footprint bound: thread + 1, label << 8
export const X_DEPTHCUT: usize = 104; // some state was not expanded because of --max-depth
export const X_LEVEL: usize = 108; // depth of the current BFS level
export const X_MAXSTATES: usize = 112; // stop when X_COUNT reaches this (0 = no cap)
export const X_FULLEXP: usize = 116; // expansions where the reduction fell back to all enabled moves
export const X_TRANSITIONS: usize = 120; // u64
export const X_AMPLE: usize = 128; // u64: expansions that used a proper ample set
export const X_SLEPT: usize = 136; // u64: moves skipped because they were asleep
export const X_BOUNDW: usize = 144; // u64 bits of the violated bound (diagnostics)
export const X_STEPW: usize = 152; // u64
export const X_CHUNKS_REC: usize = 160; // chunk tables of the chunked arrays (see store.ts): records
export const X_CHUNKS_QA: usize = 164; // queue A
export const X_CHUNKS_QB: usize = 168; // queue B
export const X_CHUNKS_LOG: usize = 172; // parent log
export const X_CHUNKS_RA: usize = 176; // reopen list A
export const X_CHUNKS_RB: usize = 180; // reopen list B
export const X_QCUR: usize = 184; // which queue is current: 0 = A, 1 = B
export const X_CHUNK_LOCK: usize = 188;
export const X_FREE_LIST: usize = 192; // [32] x (ptr u32, size u32)
export const FREE_SLOTS: i32 = 32;
export const X_CHUNKS_TERM: usize = 448; // terminal states' hashes (tests)
export const X_NTERM: usize = 452;
export const X_CONFIG: usize = 512; // engine configuration (config.ts), copied into each instance's globals
export const X_WORKERS: usize = 1024; // [16] per-worker region pointers
export const X_COLLAPSE: usize = 1088; // 256 B: collapse storage's component list and tables (collapse.ts)

// ---- atomics (plain in the single-threaded build) ---------------------------------------------------------

// @ts-ignore: decorator
@inline export function ld32(p: usize): u32 {
  if (ASC_FEATURE_THREADS) return atomic.load<u32>(p);
  return load<u32>(p);
}
// @ts-ignore: decorator
@inline export function st32(p: usize, v: u32): void {
  if (ASC_FEATURE_THREADS) atomic.store<u32>(p, v);
  else store<u32>(p, v);
}
// @ts-ignore: decorator
@inline export function ld64(p: usize): u64 {
  if (ASC_FEATURE_THREADS) return atomic.load<u64>(p);
  return load<u64>(p);
}
// @ts-ignore: decorator
@inline export function st64(p: usize, v: u64): void {
  if (ASC_FEATURE_THREADS) atomic.store<u64>(p, v);
  else store<u64>(p, v);
}
/** Add and return the old value. */
// @ts-ignore: decorator
@inline export function add32(p: usize, v: u32): u32 {
  if (ASC_FEATURE_THREADS) return atomic.add<u32>(p, v);
  const o = load<u32>(p);
  store<u32>(p, o + v);
  return o;
}
// @ts-ignore: decorator
@inline export function add64(p: usize, v: u64): u64 {
  if (ASC_FEATURE_THREADS) return atomic.add<u64>(p, v);
  const o = load<u64>(p);
  store<u64>(p, o + v);
  return o;
}
// @ts-ignore: decorator
@inline export function or32(p: usize, v: u32): u32 {
  if (ASC_FEATURE_THREADS) return atomic.or<u32>(p, v);
  const o = load<u32>(p);
  store<u32>(p, o | v);
  return o;
}
/** Compare-and-swap; returns the value found (== expected on success). */
// @ts-ignore: decorator
@inline export function cas32(p: usize, expected: u32, replacement: u32): u32 {
  if (ASC_FEATURE_THREADS) return atomic.cmpxchg<u32>(p, expected, replacement);
  const o = load<u32>(p);
  if (o == expected) store<u32>(p, replacement);
  return o;
}
// @ts-ignore: decorator
@inline export function cas64(p: usize, expected: u64, replacement: u64): u64 {
  if (ASC_FEATURE_THREADS) return atomic.cmpxchg<u64>(p, expected, replacement);
  const o = load<u64>(p);
  if (o == expected) store<u64>(p, replacement);
  return o;
}
export function max32(p: usize, v: u32): void {
  let o = ld32(p);
  while (v > o) {
    const seen = cas32(p, o, v);
    if (seen == o) return;
    o = seen;
  }
}

export function lock(off: usize): void {
  if (!ASC_FEATURE_THREADS) return;
  while (atomic.cmpxchg<u32>(CTRL + off, 0, 1) != 0) {
    // spin: the critical sections are a few dozen instructions
  }
}
export function unlock(off: usize): void {
  if (!ASC_FEATURE_THREADS) return;
  atomic.store<u32>(CTRL + off, 0);
}

export function stopRequested(): bool {
  return ld32(CTRL + X_STOP) != 0;
}

// ---- allocator: bump pointer plus a small first-fit free list for large blocks (old hash tables) -----------

function grabPages(end: usize): bool {
  const have = <usize>memory.size() << 16;
  if (end <= have) return true;
  const pages = <i32>((end - have + 0xffff) >> 16);
  // Grow geometrically (an eighth of what we have, at least 16 MiB) within the cap: fewer, larger grows.
  const cap = <usize>load<u32>(CTRL + X_MAX);
  const limit = cap == 0 ? <usize>0xfff00000 : cap;
  let extra = <i32>(have >> 19);
  if (extra < 256) extra = 256;
  if (have + (<usize>(pages + extra) << 16) <= limit && memory.grow(pages + extra) >= 0) return true;
  if (memory.grow(pages) >= 0) return true;
  // Another instance may have grown the shared memory meanwhile.
  return (<usize>memory.size() << 16) >= end;
}

/** Allocate `bytes` (16-aligned). Returns 0 when the cap or the 4 GiB limit is reached. */
export function alloc(bytes: usize): usize {
  bytes = (bytes + 15) & ~15;
  lock(X_ALLOC_LOCK);
  let p: usize = 0;
  for (let i = 0; i < FREE_SLOTS; i++) {
    const slot = CTRL + X_FREE_LIST + <usize>(i * 8);
    const size = <usize>load<u32>(slot + 4);
    if (size >= bytes) {
      p = <usize>load<u32>(slot);
      if (size - bytes >= 4096) {
        store<u32>(slot, <u32>(p + bytes));
        store<u32>(slot + 4, <u32>(size - bytes));
      } else {
        store<u32>(slot, 0);
        store<u32>(slot + 4, 0);
        bytes = size;
      }
      store<u32>(CTRL + X_FREE_BYTES, load<u32>(CTRL + X_FREE_BYTES) - <u32>bytes);
      break;
    }
  }
  if (p == 0) {
    const top = <usize>load<u32>(CTRL + X_TOP);
    const q = (top + 15) & ~15;
    const end = q + bytes;
    const cap = <usize>load<u32>(CTRL + X_MAX);
    if (end < q || end > (cap == 0 ? <usize>0xfff00000 : cap) || !grabPages(end)) {
      unlock(X_ALLOC_LOCK);
      return 0;
    }
    store<u32>(CTRL + X_TOP, <u32>end);
    p = q;
  }
  unlock(X_ALLOC_LOCK);
  return p;
}

/** Give a large block back (only blocks of 64 KiB or more are kept; smaller ones are forgotten). */
export function release(p: usize, bytes: usize): void {
  bytes = (bytes + 15) & ~15;
  if (bytes < 65536) return;
  lock(X_ALLOC_LOCK);
  for (let i = 0; i < FREE_SLOTS; i++) {
    const slot = CTRL + X_FREE_LIST + <usize>(i * 8);
    if (load<u32>(slot + 4) == 0) {
      store<u32>(slot, <u32>p);
      store<u32>(slot + 4, <u32>bytes);
      store<u32>(CTRL + X_FREE_BYTES, load<u32>(CTRL + X_FREE_BYTES) + <u32>bytes);
      break;
    }
  }
  unlock(X_ALLOC_LOCK);
}

/** Bytes in use by the engine (heap minus free blocks). */
export function usedBytes(): usize {
  return <usize>load<u32>(CTRL + X_TOP) - HEAP_START - <usize>load<u32>(CTRL + X_FREE_BYTES);
}
