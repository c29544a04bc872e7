// Sharding (check --shard i/n) in process: for every scenario x variant of the library, in every storage and with
// and without reductions, the shards' union is the unsharded search — the same distinct states (by hash), the
// same verdict and violated properties, counterexamples as short as the unsharded ones (without reduction) — and
// every counterexample a shard reports is a full path from the initial state that replays to its violation. Then
// the merge rules on hand-made parts: shortest path per property, ties, missing shards, swarm never a pass.
import fc from 'fast-check';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Compiled } from '../checker/compile/config.ts';
import { failedProperties } from '../checker/expected.ts';
import type { FdraceExports } from '../checker/kernel/exports.ts';
import { loadKernel } from '../checker/kernel/load-node.ts';
import { withLockOrder } from '../checker/lockdep.ts';
import type { SearchOptions } from '../checker/search/options.ts';
import { parsePath, type SearchResult } from '../checker/search/result.ts';
import { search } from '../checker/search/run.ts';
import { mergeParts } from '../checker/search/shard-merge.ts';
import { HASH_MAGIC, collectStateHashes, distinctCount, partOf, unionCount, type PartResult } from '../checker/search/shard-result.ts';
import { runPart } from '../checker/search/shard-run.ts';
import { parseShard, shardIndexFromEnv, shardSearch } from '../checker/search/shard.ts';
import { replay } from '../checker/trace/replay.ts';
import { scenarioArb } from './search/gen.ts';
import { compileText, library } from './search/util.ts';

async function shards(
  x: FdraceExports,
  c: Compiled,
  o: SearchOptions,
  n: number,
  k: number,
  hashes: boolean,
): Promise<{ parts: PartResult[]; sets: BigUint64Array[] }> {
  const parts: PartResult[] = [];
  const sets: BigUint64Array[] = [];
  for (let i = 0; i < n; i++) {
    const r = (await runPart(x, c, {}, o, 1, c.scenario.name, { kind: 'shard', spec: { index: i, count: n, frontierFactor: k } })) as PartResult;
    parts.push(r);
    if (hashes) sets.push(collectStateHashes(x));
  }
  return { parts, sets };
}

/** Shortest counterexample length per property (lock-order inversions and unsatisfied `sometimes` have none). */
function shortest(violations: SearchResult['violations']): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of violations) if (v.path !== '' || v.steps > 0) out[v.property] = Math.min(out[v.property] ?? Infinity, v.steps);
  return out;
}

function replays(xr: FdraceExports, c: Compiled, r: { violations: SearchResult['violations'] }, where: string): void {
  for (const v of r.violations) {
    if (v.kind === 'sometimes' || v.kind === 'inversion') continue;
    const tr = replay(xr, c, parsePath(v.path, c.ix.threadNames.length), c.scenario.name, v.property);
    expect([where, v.property, tr.violation?.property]).toEqual([where, v.property, v.property]);
  }
}

const SMALL = 20_000;

describe('shards cover the unsharded search', async () => {
  const x = await loadKernel();
  const xr = await loadKernel();
  const lib = library();

  it('on every scenario x variant: same distinct states, verdict, properties, shortest paths (collapse storage, the default; no reduction)', async () => {
    let cut = 0;
    for (const { file, variant, c } of lib) {
      const o: SearchOptions = { strategy: 'bfs', por: false, symmetry: false };
      const plain = withLockOrder(search(x, c, {}, o), x, c);
      if (plain.stats.states > SMALL) continue;
      const plainStates = plain.stats.states;
      for (const n of [2, 3]) {
        const { parts, sets } = await shards(x, c, o, n, 2, true);
        const m = mergeParts(parts, distinctCount(sets));
        const where = `${file} [${variant}] ${n} shards`;
        expect([where, m.stats.distinctStates, m.verdict, failedProperties(m as unknown as SearchResult)]).toEqual([
          where,
          plainStates,
          plain.verdict,
          failedProperties(plain),
        ]);
        expect([where, shortest(m.violations)]).toEqual([where, shortest(plain.violations)]);
        // Every shard stored the same prefix, and nobody stored more than exists.
        expect(new Set(parts.map((p) => p.part.shard!.prefixStates)).size).toBe(1);
        for (const p of parts) expect(p.stats.states).toBeLessThanOrEqual(plainStates);
        if (parts[0]!.part.shard!.cutLevel !== null) cut++;
        replays(xr, c, m, where);
      }
    }
    expect(cut).toBeGreaterThan(40); // the frontier factor 2 makes almost every search cut
  }, 240_000);

  it('with partial-order reduction, sleep sets and symmetry, and in fingerprint and bitstate storage: same verdict and properties; paths replay', async () => {
    for (const { file, variant, c } of lib) {
      const plain = withLockOrder(search(x, c, {}, { strategy: 'bfs', por: false, symmetry: false }), x, c);
      if (plain.stats.states > SMALL) continue;
      const configs: [string, SearchOptions, boolean][] = [
        ['collapse por+sleep+symmetry', { strategy: 'bfs', por: true, symmetry: true }, false],
        ['full', { strategy: 'bfs', storage: 'full', por: false, symmetry: false }, true],
        ['fingerprint', { strategy: 'bfs', storage: 'fingerprint', por: false, symmetry: false }, true],
        ['fingerprint por+symmetry', { strategy: 'bfs', storage: 'fingerprint', por: true, symmetry: true }, false],
        ['bitstate', { strategy: 'bfs', storage: 'bitstate', por: false, symmetry: false }, false],
      ];
      for (const [name, o, exact] of configs) {
        const { parts, sets } = await shards(x, c, o, 3, 2, exact);
        const m = mergeParts(parts, exact ? distinctCount(sets) : undefined);
        const where = `${file} [${variant}] ${name}`;
        expect([where, m.verdict, failedProperties(m as unknown as SearchResult)]).toEqual([where, plain.verdict, failedProperties(plain)]);
        if (exact) expect([where, m.stats.distinctStates]).toEqual([where, plain.stats.states]);
        for (const p of parts) expect(p.search?.notes).toBeUndefined();
        replays(xr, c, m, where);
      }
    }
  }, 300_000);

  it('for any shard count and frontier factor (fast-check): the union is the unsharded state set', async () => {
    const picks = lib.filter((l) => /F07|F12|F16/.test(l.file));
    const plainCounts = picks.map(({ c }) => search(x, c, {}, { strategy: 'bfs', storage: 'fingerprint', por: false, symmetry: false }).stats.states);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: picks.length - 1 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 40 }), async (which, n, k) => {
        const { c } = picks[which]!;
        const { sets } = await shards(x, c, { strategy: 'bfs', storage: 'fingerprint', por: false, symmetry: false }, n, k, true);
        expect(distinctCount(sets)).toBe(plainCounts[which]);
      }),
      { numRuns: 25, seed: 16 },
    );
  }, 120_000);

  it('on random scenarios (fast-check), with and without reductions: the merged verdict and properties are the unsharded ones; unreduced, the union is the state set', async () => {
    await fc.assert(
      fc.asyncProperty(scenarioArb(), fc.integer({ min: 2, max: 4 }), fc.integer({ min: 1, max: 3 }), async (g, n, k) => {
        const c = compileText(g.text, g.variant);
        const plain = withLockOrder(search(x, c, { maxStates: 30_000 }, { strategy: 'bfs', por: false, symmetry: false }), x, c);
        fc.pre(plain.incomplete === undefined);
        const plainStates = plain.stats.states;
        for (const [o, exact] of [
          [{ strategy: 'bfs', storage: 'fingerprint', por: false, symmetry: false }, true],
          [{ strategy: 'bfs', por: true, symmetry: true }, false],
        ] as [SearchOptions, boolean][]) {
          const { parts, sets } = await shards(x, c, o, n, k, exact);
          const m = mergeParts(parts, exact ? distinctCount(sets) : undefined);
          const got = [m.verdict, failedProperties(m as unknown as SearchResult), exact ? m.stats.distinctStates : plainStates];
          const want = [plain.verdict, failedProperties(plain), plainStates];
          if (JSON.stringify(got) !== JSON.stringify(want)) {
            throw new Error(`${JSON.stringify(o)}, ${n} shards, k=${k} differ on\n${g.text}\nunsharded ${JSON.stringify(want)}; merged ${JSON.stringify(got)}`);
          }
          replays(xr, c, m, g.text);
        }
      }),
      { numRuns: 120, seed: 16 },
    );
  }, 240_000);

  it('with --workers 2 (the cut happens at the parallel barrier): the union is the unsharded state set', async () => {
    const { c } = lib.find((l) => /F07/.test(l.file) && l.variant === 'rfc-v4')!;
    for (const storage of ['full', 'collapse', 'fingerprint'] as const) {
      const o: SearchOptions = { strategy: 'bfs', storage, por: false, symmetry: false };
      const sets: BigUint64Array[] = [];
      const parts: PartResult[] = [];
      for (let i = 0; i < 3; i++) {
        // Capture the coordinator instance: the hashes are read from the shared memory after the workers ended.
        const run = await shardSearch(x, c, {}, o, 2, 'f', { index: i, count: 3, frontierFactor: 2 });
        expect(run.result.search?.workers).toBe(2);
        expect(run.shard.cutLevel).not.toBeNull();
        sets.push(collectStateHashes(run.x));
        parts.push({ ...run.result, part: { ...partOf(run.x, c, 'q'.repeat(64)), shard: run.shard } });
      }
      expect([storage, distinctCount(sets)]).toEqual([storage, 6191]);
      expect(failedProperties(mergeParts(parts) as unknown as SearchResult)).toEqual(['check-list', 'stale-registration']);
    }
  }, 60_000);

  it('one shard is the unsharded search, state for state', async () => {
    const { c } = lib.find((l) => /F07/.test(l.file) && l.variant === 'rfc-v4')!;
    const o: SearchOptions = { strategy: 'bfs', por: false, symmetry: false };
    const plain = search(x, c, {}, o);
    const plainSet = collectStateHashes(x);
    const { parts, sets } = await shards(x, c, o, 1, 4, true);
    expect(parts[0]!.stats.states).toBe(6191);
    expect(plain.stats.states).toBe(6191);
    expect([...sets[0]!].sort()).toEqual([...plainSet].sort());
    expect(parts[0]!.violations.map((v) => [v.property, v.path])).toEqual(plain.violations.map((v) => [v.property, v.path]));
  });
});

describe('shard options', () => {
  it('parses INDEX/COUNT numbered from 0 and rejects the rest', () => {
    expect(parseShard('0/1')).toEqual({ index: 0, count: 1 });
    expect(parseShard(' 3 / 4 ')).toEqual({ index: 3, count: 4 });
    for (const bad of ['4/4', '1/0', '-1/2', 'a/b', '1', '1/2/3', '', '0/70000']) expect(() => parseShard(bad)).toThrow(/--shard/);
    expect(() => parseShard('2/2')).toThrow(/between 0 and 1 \(shards are numbered from 0/);
  });
  it('reads the index from the batch engine', () => {
    expect(shardIndexFromEnv({ JOB_COMPLETION_INDEX: '3' }, 4)).toEqual({ index: 3, from: 'JOB_COMPLETION_INDEX' });
    expect(shardIndexFromEnv({ SLURM_ARRAY_TASK_ID: '7', SLURM_ARRAY_TASK_MIN: '5' }, 4)).toEqual({ index: 2, from: 'SLURM_ARRAY_TASK_ID' });
    expect(shardIndexFromEnv({ FDRACE_SHARD_INDEX: '1', JOB_COMPLETION_INDEX: '0' }, 2)).toEqual({ index: 1, from: 'FDRACE_SHARD_INDEX' });
    expect(() => shardIndexFromEnv({}, 4)).toThrow(/none of/);
    expect(() => shardIndexFromEnv({ JOB_COMPLETION_INDEX: '4' }, 4)).toThrow(/outside 0\.\.3/);
    expect(() => shardIndexFromEnv({ JOB_COMPLETION_INDEX: 'x' }, 4)).toThrow(/not a shard index/);
  });
});

describe('the union of state hash files', () => {
  it('counts distinct hashes in any number of passes (fast-check)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'fdrace-union-'));
    const u64 = fc.bigInt({ min: 1n, max: 2n ** 64n - 1n });
    fc.assert(
      fc.property(
        fc.array(fc.array(fc.oneof(u64, fc.constantFrom(1n, 2n ** 63n, 2n ** 64n - 1n)), { maxLength: 60 }), { minLength: 1, maxLength: 4 }),
        fc.integer({ min: 8, max: 2048 }),
        (sets, budget) => {
          const files = sets.map((s, i) => {
            const f = join(dir, `u${i}.bin`);
            writeFileSync(f, Buffer.concat([Buffer.from(HASH_MAGIC, 'latin1'), Buffer.from(new BigUint64Array(s).buffer)]));
            return f;
          });
          expect(unionCount(files, budget)).toBe(new Set(sets.flat()).size);
          expect(distinctCount(sets.map((s) => new BigUint64Array(s)))).toBe(new Set(sets.flat()).size);
        },
      ),
      { numRuns: 200, seed: 16 },
    );
  });
});

describe('merge rules', () => {
  const base = (index: number, count: number, violations: SearchResult['violations'], extra: Partial<PartResult> = {}): PartResult => ({
    scenario: 's',
    file: 's.fdr',
    variant: 'v6.2',
    verdict: violations.length ? 'violation' : 'pass',
    stats: {
      states: 100 + index,
      transitions: 200,
      terminal: 1,
      maxDepth: 9,
      seconds: 1 + index,
      statesPerSecond: 1,
      memoryBytes: 1000 * (index + 1),
      stateBytes: 8,
    },
    violations,
    part: {
      format: 1,
      question: 'a'.repeat(64),
      shard: { index, count, frontierFactor: 2, cutLevel: 3, frontierStates: 10, ownedStates: 5, prefixStates: 20 },
      sometimes: { expectations: [{ label: 'seen', text: 'X' }], satisfied: index === 1 ? ['seen'] : [] },
      lockEdges: [],
      names: { tables: ['P'], files: ['a'], epolls: ['E'], threads: ['T0', 'T1'], toggles: 0 },
    },
    ...extra,
  });
  const v = (property: string, path: string, steps: number) => ({ property, kind: 'always', message: property, path, steps });

  it('keeps the shortest path per property, ties to the least move sequence', () => {
    const m = mergeParts([
      base(0, 3, [v('p', '1.1.0', 3), v('q', '0.1', 2)]),
      base(1, 3, [v('p', '0.1', 2)]),
      base(2, 3, [v('p', '0.0', 2), v('q', '1.0', 2)]),
    ]);
    expect(m.violations.map((x) => [x.property, x.path])).toEqual([
      ['p', '0.0'],
      ['q', '0.1'],
    ]);
    expect(m.verdict).toBe('violation');
    expect(m.stats.states).toBe(303);
    expect(m.stats.seconds).toBe(3);
    expect(m.stats.secondsTotal).toBe(6);
    expect(m.stats.memoryBytes).toBe(3000);
  });

  it('passes only with every shard present; a `sometimes` seen by one shard is satisfied', () => {
    const all = mergeParts([base(0, 2, []), base(1, 2, [])]);
    expect([all.verdict, all.violations]).toEqual(['pass', []]);
    const missing = mergeParts([base(1, 3, []), base(0, 3, [])]);
    expect([missing.verdict, missing.merged.missing, missing.incomplete]).toEqual(['incomplete', [2], 'shards 2 of 3 missing']);
    const nobody = base(1, 2, []);
    nobody.part.sometimes = { ...nobody.part.sometimes, satisfied: [] };
    const unseen = mergeParts([base(0, 2, []), nobody]);
    expect([unseen.verdict, unseen.violations.map((x) => x.property)]).toEqual(['violation', ['seen']]);
    const stopped = mergeParts([base(0, 2, []), base(1, 2, [], { verdict: 'incomplete', incomplete: '--timeout 5s reached' })]);
    expect([stopped.verdict, stopped.incomplete]).toEqual(['incomplete', 'shard 1: --timeout 5s reached']);
  });

  it('finds a lock-order inversion whose two edges were recorded by different shards', () => {
    const edge = (from: number, to: number) => ({ from, to, gated: false, thread: 'T0', fn: 'ep_insert', file: 'fs/eventpoll.c', text: 'lock' });
    const a = base(0, 2, []);
    const b = base(1, 2, []);
    a.part.lockEdges = [edge(0, 24)];
    b.part.lockEdges = [edge(24, 0)];
    const m = mergeParts([a, b]);
    expect(m.verdict).toBe('deadlock');
    expect(m.violations.map((x) => x.message)).toEqual(['possible circular locking dependency: P.file_lock -> E.mtx -> P.file_lock']);
    expect(m.violations[0]!.splat).toMatch(/WARNING: possible circular locking dependency detected/);
    expect(mergeParts([a]).violations).toEqual([]);
  });

  it('never passes a swarm', () => {
    const member = (index: number, violations: SearchResult['violations']): PartResult => {
      const p = base(index, 2, violations, { verdict: violations.length ? 'violation' : 'incomplete', incomplete: 'not a proof' });
      const { shard: _s, ...rest } = p.part;
      return { ...p, part: { ...rest, swarm: { index, count: 2, member: 'dfs' } } };
    };
    const quiet = mergeParts([member(0, []), member(1, [])]);
    expect(quiet.verdict).toBe('incomplete');
    expect(quiet.incomplete).toMatch(/^swarm verification \(2 of 2 members\): bounded, diversified searches, not a proof/);
    expect(quiet.violations).toEqual([]); // a swarm concludes nothing about `sometimes`
    expect(mergeParts([member(0, []), member(1, [v('p', '0', 1)])]).verdict).toBe('violation');
  });
});
