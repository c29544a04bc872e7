// What a shard (or a swarm member) writes with --json so that `fdrace merge` can conclude without the scenario, the
// kernel or the other shards' machines: the search result, which part of which question it answers, the
// `sometimes` expectations it saw satisfied, the lock-order edges it recorded (an inversion may need edges from
// two shards) and, on request, a file with the hashes of every state it stored.

import { createHash } from 'node:crypto';
import { closeSync, fstatSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import type { Compiled } from '../compile/config.ts';
import { wasmPath } from '../kernel/load-node.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { lockIndexName, readEdges } from '../lockdep.ts';
import { engine } from './engine-api.ts';
import { DEFAULTS, bitsLog2For, effectiveStorage, type Limits, type SearchOptions } from './options.ts';
import type { SearchResult } from './result.ts';
import type { Edge } from '../lockdep.ts';
import type { ShardInfo } from './shard.ts';

export const PART_FORMAT = 1;

/** A lock-order edge with its witness (checker/lockdep.ts), carried so merge can look for inversions across shards. */
export type PartEdge = Edge;

export interface SwarmInfo {
  index: number;
  count: number;
  /** How this member was diversified: strategy, storage, reductions, seed, hash family. */
  member: string;
}

export interface Part {
  format: number;
  /** sha256 of everything that determines the question (scenario configuration, variant, options that change the
   *  state graph, shard count and frontier factor or swarm size, engine build): merge refuses to mix questions. */
  question: string;
  shard?: ShardInfo;
  swarm?: SwarmInfo;
  /** The `sometimes` expectations, and the labels of those this part saw satisfied. */
  sometimes: { expectations: { label: string; text: string }[]; satisfied: string[] };
  lockEdges: PartEdge[];
  /** Names the lock-order splat needs (lockIndexName): tables, files, epolls, threads, and the toggles. */
  names: { tables: string[]; files: string[]; epolls: string[]; threads: string[]; toggles: number };
  stateHashes?: { file: string; count: number };
}

export type PartResult = SearchResult & { part: Part };

let wasmDigest: string | undefined;
function engineBuild(): string {
  wasmDigest ??= createHash('sha256').update(readFileSync(wasmPath())).digest('hex').slice(0, 16);
  return wasmDigest;
}

/** The question a part answers, as readable JSON (hashed into Part.question). */
export function questionOf(c: Compiled, o: SearchOptions, limits: Limits, split: Record<string, number>): Record<string, unknown> {
  const storage = effectiveStorage(o);
  return {
    format: PART_FORMAT,
    scenario: c.scenario.name,
    variant: c.variant,
    configuration: createHash('sha256').update(c.bytes).digest('hex'),
    engine: engineBuild(),
    strategy: o.strategy ?? DEFAULTS.strategy,
    storage,
    por: o.por ?? DEFAULTS.por,
    sleepSets: o.sleepSets ?? true,
    symmetry: o.symmetry ?? DEFAULTS.symmetry,
    ...(storage === 'bitstate' ? { hashes: o.hashes ?? DEFAULTS.hashes, bitsLog2: bitsLog2For(limits.maxMemoryBytes) } : {}),
    maxDepth: limits.maxDepth ?? null,
    ...split,
  };
}

export function questionHash(q: Record<string, unknown>): string {
  return createHash('sha256').update(JSON.stringify(q)).digest('hex');
}

function sometimesOf(x: FdraceExports, c: Compiled): Part['sometimes'] {
  const mask = x.eSometimes() >>> 0;
  const expectations: { label: string; text: string }[] = [];
  const satisfied: string[] = [];
  c.expectations.forEach((ex, k) => {
    if (ex.modality !== 'sometimes') return;
    expectations.push({ label: ex.label, text: ex.text });
    if (mask & (1 << k)) satisfied.push(ex.label);
  });
  return { expectations, satisfied };
}

/** Everything but the question and the split, read from the instance that searched. */
export function partOf(x: FdraceExports, c: Compiled, question: string): Part {
  return {
    format: PART_FORMAT,
    question,
    sometimes: sometimesOf(x, c),
    lockEdges: readEdges(x, c).map((e) => ({ from: e.from, to: e.to, gated: e.gated, thread: e.thread, fn: e.fn, file: e.file, text: e.text })),
    names: {
      tables: [...c.ix.tableNames],
      files: [...c.ix.fileNames],
      epolls: [...c.ix.epollNames],
      threads: [...c.ix.threadNames],
      toggles: c.toggles,
    },
  };
}

/** The lock names of a part (for messages), from the names it carries. */
export function partLockName(names: Part['names'], i: number): string {
  return lockIndexName(
    { ix: { tableNames: names.tables, fileNames: names.files, epollNames: names.epolls }, toggles: names.toggles } as unknown as Compiled,
    i,
  );
}

// ---- state hash files ---------------------------------------------------------------------------------------

/** "fdrhash1" then the 64-bit hashes, little-endian, in no particular order. */
export const HASH_MAGIC = 'fdrhash1';

/** Write the hashes of every state the instance stored. Returns how many; throws if the storage keeps none. */
export function writeStateHashes(x: FdraceExports, file: string): number {
  const e = engine(x);
  if (e.eStorage() === 2) throw new Error('--state-hashes: bitstate storage keeps no hashes of the states it saw (use fingerprint or full)');
  const buf = e.eHashBuffer() >>> 0;
  if (buf === 0) throw new Error('--state-hashes: out of memory for the hash buffer');
  const fd = openSync(file, 'w');
  let total = 0;
  try {
    writeSync(fd, Buffer.from(HASH_MAGIC, 'latin1'));
    for (let restart = 1; ; restart = 0) {
      const n = e.eStateHashes(restart) >>> 0;
      if (n === 0) break;
      // Copy out: the memory may grow (and detach the view) on a later call.
      writeSync(fd, Buffer.from(new Uint8Array(x.memory.buffer, buf, n * 8)));
      total += n;
    }
  } finally {
    closeSync(fd);
  }
  return total;
}

/** The hashes of every state the instance stored, in memory (tests, small searches). */
export function collectStateHashes(x: FdraceExports): BigUint64Array {
  const e = engine(x);
  if (e.eStorage() === 2) throw new Error('bitstate storage keeps no hashes of the states it saw');
  const buf = e.eHashBuffer() >>> 0;
  if (buf === 0) throw new Error('out of memory for the hash buffer');
  const chunks: BigUint64Array[] = [];
  for (let restart = 1; ; restart = 0) {
    const n = e.eStateHashes(restart) >>> 0;
    if (n === 0) break;
    chunks.push(new BigUint64Array(x.memory.buffer.slice(buf, buf + n * 8)));
  }
  const out = new BigUint64Array(chunks.reduce((n, c) => n + c.length, 0));
  let at = 0;
  for (const c of chunks) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}

/** Distinct values over several hash sets. */
export function distinctCount(sets: BigUint64Array[]): number {
  const all = new BigUint64Array(sets.reduce((n, s) => n + s.length, 0));
  let at = 0;
  for (const s of sets) {
    all.set(s, at);
    at += s.length;
  }
  all.sort();
  let n = 0;
  for (let i = 0; i < all.length; i++) if (i === 0 || all[i] !== all[i - 1]) n++;
  return n;
}

/** Hashes in a state hash file (after checking its header). Throws a message naming the file. */
export function stateHashCount(file: string): number {
  const fd = openSync(file, 'r');
  try {
    const size = fstatSync(fd).size;
    const head = Buffer.alloc(8);
    if (size < 8 || readSync(fd, head, 0, 8, 0) !== 8 || head.toString('latin1') !== HASH_MAGIC || (size - 8) % 8 !== 0) {
      throw new Error(`${file}: not a state hash file (expected '${HASH_MAGIC}' and 8-byte hashes)`);
    }
    return (size - 8) / 8;
  } finally {
    closeSync(fd);
  }
}

/** Distinct hashes over several state hash files, in bounded memory: the hash range is split into passes of at
 *  most `budgetBytes` of hashes each (by their top bits, which are uniform), each pass reads every file, keeps
 *  the hashes in its range, sorts them and counts. 16 shards of 14 M states need 4 passes of 256 MiB. */
export function unionCount(files: string[], budgetBytes = 256 * 2 ** 20): number {
  const total = files.reduce((n, f) => n + stateHashCount(f), 0);
  const passes = Math.max(1, Math.ceil((total * 8) / budgetBytes));
  const chunk = new Uint32Array(1 << 20); // 4 MiB: 512 Ki hashes per read
  const bytes = new Uint8Array(chunk.buffer);
  let distinct = 0;
  for (let pass = 0; pass < passes; pass++) {
    // Range of the high 32-bit word, [lo, hi).
    const lo = Math.floor((pass * 2 ** 32) / passes);
    const hi = Math.floor(((pass + 1) * 2 ** 32) / passes);
    let keep = new Uint32Array(2 * Math.max(1024, Math.ceil((total / passes) * 1.1)));
    let n = 0;
    for (const f of files) {
      const fd = openSync(f, 'r');
      try {
        let pos = 8;
        for (;;) {
          const got = readSync(fd, bytes, 0, bytes.length, pos);
          if (got <= 0) break;
          pos += got;
          for (let i = 0; i + 1 < got / 4; i += 2) {
            const w = chunk[i + 1]!; // little-endian: the high word second
            if (w < lo || w >= hi) continue;
            if (2 * n + 2 > keep.length) {
              const grown = new Uint32Array(keep.length * 2);
              grown.set(keep);
              keep = grown;
            }
            keep[2 * n] = chunk[i]!;
            keep[2 * n + 1] = w;
            n++;
          }
        }
      } finally {
        closeSync(fd);
      }
    }
    const vals = new BigUint64Array(keep.buffer, 0, n).sort();
    for (let i = 0; i < n; i++) if (i === 0 || vals[i] !== vals[i - 1]) distinct++;
  }
  return distinct;
}
