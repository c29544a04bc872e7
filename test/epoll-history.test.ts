// The epoll history toggles (checker/history/epoll-fixes.ts, docs/model.md §C.0): every fix's scenario is violated
// without it and passes with it (exact findings and unreduced state counts); the two 'change' toggles run the
// older step programs; the presets carry every toggle older than them.
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { EPOLL_FIXES } from '../checker/history/epoll-fixes.ts';
import { parseVariant } from '../checker/variants.ts';
import { check, trace } from './util/run.ts';

// scenario file -> variant -> [qualified findings, states], derived by hand from the scenario comments and pinned.
const EXPECTED: Record<string, Record<string, [string[], number]>> = {
  'scenarios/history/epoll-cycle-22bacca48a17.fdr': {
    'v6.2': [[], 453],
    'v6.2~loop-check': [['deadlock.stuck', 'watchers.epoll-cycle', 'one_eloop', 'lock-order.inversion'], 404],
  },
  'scenarios/history/cve-2011-1083-limit-paths-28d82dc1c4ed.fdr': {
    'v6.2': [[], 25],
    'v6.2~limit-paths': [['watchers.path-limit'], 15],
  },
  'scenarios/history/cve-2012-3375-eloop-check-list-13d518074a95.fdr': {
    'v6.2': [[], 12],
    'v6.2~eloop-clear-check-list': [['check-list.leak'], 12],
  },
  'scenarios/history/fast-path-race-fe0a916c1eae.fdr': {
    'v6.2': [[], 493],
    'v6.2~fast-path-gen': [['watchers.path-limit'], 625],
  },
  'scenarios/history/check-list-revive-77f4689de17c.fdr': {
    'v6.2~f-ep-hlist': [[], 417],
    'v6.2~f-ep-hlist~check-list-rcu': [['no-uaf.file'], 574],
  },
  'scenarios/history/loop-depth-overflow-fdcfce93073d.fdr': {
    current: [[], 14],
    'current~loop-depth-overflow': [['watchers.epoll-cycle', 'eloop'], 26],
  },
};

describe('epoll history: each fix is found without it and passes with it', () => {
  for (const t of EPOLL_FIXES.filter((x) => x.kind === 'fix')) {
    it(`${t.name} (${t.commit}): ${t.scenario}`, async () => {
      expect(t.scenario).toContain(t.commit!);
      const text = readFileSync(t.scenario!, 'utf8');
      const want = EXPECTED[t.scenario!]!;
      const variants = /^variants (.*)$/m.exec(text)![1]!.split(/\s+/);
      expect(variants).toEqual(Object.keys(want));
      expect(variants.filter((v) => v.endsWith(`~${t.name}`))).toHaveLength(1);
      for (const v of variants) {
        const r = await check(text, v);
        expect([v, r.violations.map((x) => x.qualified ?? x.property), r.stats.states]).toEqual([v, ...want[v]!]);
      }
    });
  }
});

describe('epoll history: metadata and presets', () => {
  it('bits 1<<14 .. 1<<22, unique, kebab-case names, fixes point at known toggles', () => {
    const bits = EPOLL_FIXES.map((t) => t.bit);
    expect(bits.every((b) => b >= 1 << 14 && b <= 1 << 22 && (b & (b - 1)) === 0)).toBe(true);
    expect(new Set(bits).size).toBe(bits.length);
    for (const t of EPOLL_FIXES) {
      expect(t.name).toMatch(/^[a-z0-9]+(-[a-z0-9]+)*$/);
      expect(t.commit).toMatch(/^[0-9a-f]{12}$/);
      if (t.fixes) expect(() => parseVariant(`current~${t.fixes}`)).not.toThrow();
      expect(t.kind === 'fix').toBe(t.scenario !== undefined);
    }
  });
  it('v6.2 and current carry every toggle older than them; current-pre-6.16 lacks the loop-check depth pair', () => {
    const on = (preset: string, name: string) => (parseVariant(preset).toggles & EPOLL_FIXES.find((t) => t.name === name)!.bit) !== 0;
    const old = ['loop-check', 'limit-paths', 'eloop-clear-check-list', 'full-check-narrow', 'fast-path-gen', 'check-list-rcu', 'f-ep-hlist'];
    for (const p of ['v6.2', 'current', 'current-pre-6.16']) expect(old.filter((n) => !on(p, n))).toEqual([]);
    expect([on('v6.2', 'loop-depth-overflow'), on('current', 'loop-depth-overflow'), on('current-pre-6.16', 'loop-depth-overflow')]).toEqual([
      false,
      true,
      false,
    ]);
  });
});

// X is watched by E1; T adds it to E2 and closes it: the order of X's watchers and the locks of the ADD.
const ORDER = `scenario order
file X socket
epoll E1
epoll E2
process P
  fd 3 = X
  fd 4 = E1
  fd 5 = E2
watch E1 (X, 3) IN
thread T in P
  epoll_ctl(5, ADD, 3, IN)
  close(3)
expect x: at end T.op[1].ret == 1
variants v6.2
result v6.2 violation(x)
`;

describe('epoll history: the change toggles run the older step programs', () => {
  const texts = async (variant: string, n: number) => (await trace(ORDER, variant, `0*${n}`, 'x')).steps.map((s) => `${s.function}: ${s.text}`);
  it('f-ep-hlist off: f_ep_links in struct file, list_add_tail_rcu, no epitems_head; eventpoll_release_file meets E1 first', async () => {
    const hlist = await texts('v6.2', 41);
    const links = await texts('v6.2~f-ep-hlist', 39);
    expect(hlist.filter((t) => t.startsWith('attach_epitem'))).toHaveLength(4);
    expect(links.some((t) => t.startsWith('attach_epitem'))).toBe(false);
    expect(links).toContain('ep_insert: list_add_tail_rcu(&epi->fllink, &tfile->f_ep_links) (before 319c15174757)');
    expect(links.filter((t) => t.startsWith('ep_remove: list_del_rcu'))).toHaveLength(2);
    const firstRemoved = async (v: string, n: number) =>
      (await trace(ORDER, v, `0*${n}`, 'x')).steps.find((s) => s.function === 'eventpoll_release_file' && s.changes.some((c) => c.endsWith('.mtx taken by T')))!
        .changes;
    expect(await firstRemoved('v6.2', 41)).toEqual(['E2.mtx taken by T']); // hlist_add_head_rcu: the newest first
    expect(await firstRemoved('v6.2~f-ep-hlist', 39)).toEqual(['E1.mtx taken by T']); // list_add_tail_rcu
  });
  it('full-check-narrow off: every ADD takes epmutex before ep->mtx and runs reverse_path_check', async () => {
    const narrow = await texts('v6.2', 41);
    const wide = await texts('v6.2~full-check-narrow', 44);
    expect(narrow.some((t) => t.startsWith('reverse_path_check'))).toBe(false);
    expect(wide.slice(2, 4)).toEqual([
      'do_epoll_ctl: mutex_lock(&epmutex); loop_check_gen++; full_check = 1',
      'do_epoll_ctl: mutex_lock_nested(&ep->mtx, 0) after epmutex (before 67347fe4e632 every ADD took epmutex first)',
    ]);
    expect(wide.some((t) => t.startsWith('reverse_path_check'))).toBe(true);
  });
});

// ep_loop_check on random acyclic epoll graphs: with both fixes (current) an ADD of epoll `to` into `ep` fails with
// ELOOP exactly when `to` reaches `ep` (a cycle) or the longest chain through the new edge (below `to` + 1 + above
// `ep`) exceeds EP_MAX_NESTS = 4 -- the rule f2e467a48287 states, computed here independently of the model.
describe('epoll history: ep_loop_check on random graphs', () => {
  const graphArb = fc.integer({ min: 3, max: 6 }).chain((n) =>
    fc.record({
      n: fc.constant(n),
      edges: fc.uniqueArray(
        fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })).filter(([a, b]) => a < b),
        { maxLength: 6, selector: ([a, b]) => `${a},${b}` },
      ),
      add: fc.tuple(fc.integer({ min: 0, max: n - 1 }), fc.integer({ min: 0, max: n - 1 })).filter(([a, b]) => a !== b),
    }),
  );
  const oracle = (n: number, edges: [number, number][], ep: number, to: number): boolean => {
    const down = (e: number): number => Math.max(0, ...edges.filter(([a]) => a === e).map(([, b]) => down(b) + 1));
    const up = (e: number): number => Math.max(0, ...edges.filter(([, b]) => b === e).map(([a]) => up(a) + 1));
    const reaches = (a: number, b: number): boolean => a === b || edges.some(([x, y]) => x === a && reaches(y, b));
    return n > 0 && (reaches(to, ep) || down(to) + 1 + up(ep) > 4);
  };
  it('current: ELOOP iff a cycle or a chain longer than EP_MAX_NESTS (fast-check, seed 10)', async () => {
    await fc.assert(
      fc.asyncProperty(graphArb, async ({ n, edges, add: [ep, to] }) => {
        if (edges.some(([a, b]) => a === ep && b === to)) return; // EEXIST, not the loop check's business
        const decl = Array.from({ length: n }, (_, i) => `epoll E${i}`).join('\n');
        const fds = Array.from({ length: n }, (_, i) => `  fd ${10 + i} = E${i}`).join('\n');
        const watches = edges.map(([a, b]) => `watch E${a} (E${b}, ${10 + b})`).join('\n');
        const want = oracle(n, edges, ep, to) ? '-ELOOP' : '0';
        const text = `scenario g\n${decl}\nprocess P\n${fds}\n${watches}\nthread T in P\n  epoll_ctl(${10 + ep}, ADD, ${10 + to}, IN)\nexpect r: at end T.op[1].ret == ${want}\nvariants current\nresult current pass\n`;
        const r = await check(text, 'current');
        expect(r.violations.filter((v) => v.property === 'r').map((v) => v.message)).toEqual([]);
      }),
      { seed: 10, numRuns: 60 },
    );
  });
});
