// Regression tests for issue 13's defects that need no process: each names the defect it pins down.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { compileScenario } from '../../checker/compile/config.ts';
import { loadKernel } from '../../checker/kernel/load-node.ts';
import { readScenario } from '../../checker/load.ts';
import { parseScenario } from '../../checker/scenario/parse.ts';
import type { ScenarioError, Expr } from '../../checker/scenario/types.ts';
import { search } from '../../checker/search/run.ts';
import { searchAsync } from '../../checker/search/run-parallel.ts';
import { closest } from '../../checker/suggest.ts';
import { TOGGLES, VARIANT_NAMES, checkVariantSpec, formatVariant, makeVariant, parseVariant, resolveVariant } from '../../checker/variants.ts';
import { parseTraceText } from '../../web/src/validate.ts';
import { compileText } from '../search/util.ts';

const medium = () => {
  const s = readScenario('bench/medium.fdr');
  const v = parseVariant(s.variants[0]!);
  return compileScenario(s, v.label, v.toggles, 'bench/medium.fdr');
};

describe('1: random walks grow their fingerprint set', async () => {
  const x = await loadKernel();
  it('a swarm that sees more than 4,096 distinct states ends (it probed a full table forever)', () => {
    const r = search(x, medium(), {}, { strategy: 'random', walks: 1000, seed: 0 });
    expect(r.incomplete).toBe('random walks are not exhaustive (1000 walks of at most 10000 steps)');
    expect(r.stats.states).toBeGreaterThan(4096);
  });
  it('--max-memory stops it with a labelled incomplete result when the set cannot grow', () => {
    const r = search(x, medium(), { maxMemoryBytes: 2 * 2 ** 20 }, { strategy: 'random', walks: 1_000_000 });
    expect(r.verdict).toBe('incomplete');
    expect(r.incomplete).toMatch(/^out of memory \(--max-memory or the 4 GiB Wasm limit\) in walk seed \d+$/);
  });
  it('--timeout and an interrupt stop it after the current walk', () => {
    const t = search(x, medium(), { timeoutSeconds: 0.001 }, { strategy: 'random', walks: 1_000_000 });
    expect(t.incomplete).toBe('--timeout 0.001s reached');
    expect(t.stats.walks).toBeGreaterThan(0);
    expect(t.stats.walks).toBeLessThan(1_000_000);
    const i = search(x, medium(), { interrupted: () => true }, { strategy: 'random', walks: 1_000_000 });
    expect([i.incomplete, i.stats.walks]).toEqual(['interrupted', 1]);
  });
});

describe('3: ADDFD to an fd beyond the table', async () => {
  const x = await loadKernel();
  const src = (fd: number) => `scenario addfd-big
file A socket
file B socket
process P
  fd 3 = A
process S
  fd 4 = B
thread T in P
  seccomp_trap()
thread SV in S
  recv()
  addfd(${fd}, 4)
  send()
expect ebadf: at end SV.ret[2] == -EBADF
variants v6.2 rfc-v7
result v6.2 pass
result rfc-v7 pass
`;
  it('addfd(N, M) with N >= 64 is EBADF from replace_fd() (it trapped in the kernel model)', () => {
    for (const fd of [64, 100, 255]) {
      for (const variant of ['v6.2', 'rfc-v7']) {
        const r = search(x, compileText(src(fd), variant), {}, { strategy: 'bfs', por: false, symmetry: false });
        expect([fd, variant, r.verdict, r.violations]).toEqual([fd, variant, 'pass', []]);
      }
    }
  });
});

describe('4: every name that refers to a variant is checked', () => {
  const body = (when: string) => `scenario typo
file A socket
process P
  fd 3 = A
thread T in P when ${when}
  close(3)
variants current
result current pass
`;
  const err = (text: string) => {
    try {
      parseScenario(text, 't.fdr', { variants: checkVariantSpec });
      return '';
    } catch (e) {
      return (e as ScenarioError).format();
    }
  };
  it("'when curent' is a located error with a suggestion (the thread silently vanished)", () => {
    expect(err(body('curent'))).toBe(`t.fdr:5:20: error: unknown variant 'curent' (did you mean 'current'?) (known: ${VARIANT_NAMES.join(', ')})`);
    expect(err(body('current current'))).toBe("t.fdr:5:28: error: variant 'current' is listed twice after 'when'");
    expect(err(body('current~epi-fget'))).toBe("t.fdr:5:20: error: 'when' lists variant presets, not labels with toggles: write 'current'");
    expect(err(body('current userspace'))).toBe('');
  });
  it('unknown names suggest the closest declared one, and only a plausible one', () => {
    expect(closest('curent', VARIANT_NAMES)).toBe('current');
    expect(closest('NEWW', ['OLD', 'NEW'])).toBe('NEW');
    expect(closest('X', ['T', 'U'])).toBeUndefined();
    expect(closest('zzzzzz', VARIANT_NAMES)).toBeUndefined();
  });
});

/** Depth of an expression tree, without recursion (the point is that it stays small). */
function depth(e: Expr): number {
  let max = 0;
  const stack: [Expr, number][] = [[e, 1]];
  while (stack.length) {
    const [n, d] = stack.pop()!;
    max = Math.max(max, d);
    if (n.kind === 'and' || n.kind === 'or') stack.push([n.left, d + 1], [n.right, d + 1]);
    if (n.kind === 'not') stack.push([n.expr, d + 1]);
  }
  return max;
}
function leaves(e: Expr, out: number[] = []): number[] {
  if (e.kind === 'and' || e.kind === 'or') {
    leaves(e.left, out);
    leaves(e.right, out);
  } else if (e.kind === 'fd') out.push(e.lo);
  return out;
}

describe('6: long || and && chains', () => {
  const chain = (n: number, op: string) =>
    `scenario long\nfile A socket\nprocess P\n  fd 3 = A\nthread T in P\n  close(3)\nexpect big: at end ${Array.from({ length: n }, (_, i) => `P.fd[${i % 8}] != A`).join(` ${op} `)}\nvariants v6.2\nresult v6.2 pass\n`;
  it('a chain of 20,000 terms parses into a balanced tree with its terms in order (it overflowed the stack)', () => {
    for (const op of ['||', '&&']) {
      const e = parseScenario(chain(20_000, op)).expectations[0]!.expr;
      expect(depth(e)).toBe(16); // ceil(log2 20000) + 1
      expect(leaves(e)).toEqual(Array.from({ length: 20_000 }, (_, i) => i % 8));
      expect(JSON.stringify(e).length).toBeGreaterThan(0);
    }
  });
  it('a + b + c keeps its left-to-right grouping for three terms, and any chain evaluates like a fold', () => {
    fc.assert(
      fc.property(fc.array(fc.boolean(), { minLength: 1, maxLength: 40 }), fc.constantFrom('||', '&&'), (bits, op) => {
        // P.fd[3] == A is true, P.fd[3] != A false.
        const text = `scenario f\nfile A socket\nprocess P\n  fd 3 = A\nthread T in P\n  dup(3)\nexpect x: always ${bits.map((b) => (b ? 'P.fd[3] == A' : 'P.fd[3] != A')).join(` ${op} `)}\nvariants v6.2\nresult v6.2 pass\n`;
        const e = parseScenario(text).expectations[0]!.expr;
        const evalE = (n: Expr): boolean =>
          n.kind === 'or' ? evalE(n.left) || evalE(n.right) : n.kind === 'and' ? evalE(n.left) && evalE(n.right) : n.kind === 'fd' ? n.eq : false;
        expect(evalE(e)).toBe(op === '||' ? bits.some(Boolean) : bits.every(Boolean));
      }),
      { seed: 13, numRuns: 200 },
    );
  });
  it('checking a chain too large for the model is a located capacity error, not a crash', () => {
    expect(() => compileText(chain(20_000, '||'), 'v6.2')).toThrowError(
      /the expectations are too large for the model: \d+ bytes of bytecode up to this line, at most 1792/,
    );
    try {
      compileText(chain(20_000, '||'), 'v6.2');
    } catch (e) {
      expect((e as ScenarioError).loc).toEqual({ line: 7, col: 1 });
    }
  });
  it("parentheses that need more than the model's 64 evaluation stack entries are a located error", () => {
    let e = 'A.ref >= 1';
    for (let i = 0; i < 63; i++) e = `P.fd[3] == A || (${e})`;
    const text = `scenario deep\nfile A socket\nprocess P\n  fd 3 = A\nthread T in P\n  close(3)\nexpect deep: at end ${e}\nvariants v6.2\nresult v6.2 pass\n`;
    try {
      compileText(text, 'v6.2');
      expect.unreachable();
    } catch (err) {
      expect((err as ScenarioError).format()).toBe(
        'test.fdr:7:1: error: the expression needs 65 evaluation stack entries; the model has 64 (nest fewer parentheses)',
      );
    }
  });
});

describe('7: capacity errors are located at the declaration over the limit', () => {
  it('the 17th file, the 9th thread', () => {
    const files = Array.from({ length: 17 }, (_, i) => `file F${i} socket`);
    const fds = Array.from({ length: 17 }, (_, i) => `  fd ${i} = F${i}`);
    const text = ['scenario cap', ...files, 'process P', ...fds, 'thread T in P', '  close(1)', 'variants v6.2', 'result v6.2 pass', ''].join('\n');
    expect(() => compileText(text, 'v6.2')).toThrowError(
      'the model supports at most 16 files (including epoll files); this is number 17 (the scenario has 17)',
    );
    try {
      compileText(text, 'v6.2');
    } catch (e) {
      expect((e as ScenarioError).loc.line).toBe(18);
    }
    const threads = Array.from({ length: 9 }, (_, i) => `thread T${i} in P\n  close(3)`);
    const t2 = ['scenario cap', 'file A socket', 'process P', '  fd 3 = A', ...threads, 'variants v6.2', 'result v6.2 pass', ''].join('\n');
    try {
      compileText(t2, 'v6.2');
      expect.unreachable();
    } catch (e) {
      expect((e as ScenarioError).format()).toBe('test.fdr:21:1: error: the model supports at most 8 threads; this is number 9 (the scenario has 9)');
    }
  });
});

describe('8: one typed Variant', () => {
  const variantArb = fc.record({
    preset: fc.constantFrom(...VARIANT_NAMES),
    toggles: fc.uniqueArray(fc.constantFrom(...TOGGLES.map((t) => t.name))),
    signs: fc.array(fc.boolean(), { minLength: TOGGLES.length, maxLength: TOGGLES.length }),
  });
  it('parseVariant(formatVariant(v)) is v, and the label is the canonical form', () => {
    fc.assert(
      fc.property(variantArb, ({ preset, toggles, signs }) => {
        const v = makeVariant(
          preset,
          toggles.filter((_, i) => signs[i]),
          toggles.filter((_, i) => !signs[i]),
        );
        expect(parseVariant(formatVariant(v))).toEqual(v);
        expect(parseVariant(v.label)).toEqual(v);
        expect(resolveVariant(v.label)).toEqual(v);
      }),
      { seed: 8, numRuns: 500 },
    );
  });
  it('mixed orders parse to the same variant; contradictions and unknown names are errors', () => {
    expect(parseVariant('v6.2+rfc-v4-replace~check-list-ref').label).toBe('v6.2~check-list-ref+rfc-v4-replace');
    expect(() => parseVariant('v6.2+epi-fget~epi-fget')).toThrowError("toggle 'epi-fget' is switched both on and off");
    expect(() => parseVariant('current~epi-fgte')).toThrowError(/unknown toggle 'epi-fgte' \(did you mean 'epi-fget'\?\)/);
    expect(() => parseVariant('current~')).toThrowError("variant 'current~': expected a toggle name after '~'");
    expect(resolveVariant('current~epi-fget', ['unlock-before-put'], ['rfc-v7']).label).toBe('current~epi-fget~unlock-before-put+rfc-v7');
  });
  it('v6.2 --with rfc-v4-replace keeps the supervisor thread and matches rfc-v4 (a false DEADLOCK in 3 states)', async () => {
    const x = await loadKernel();
    const s = readScenario('scenarios/F01-replace-5-of-10.fdr');
    const withV = resolveVariant('v6.2', [], ['rfc-v4-replace']);
    const rfc = resolveVariant('rfc-v4');
    expect(withV.toggles).toBe(rfc.toggles);
    const a = search(x, compileScenario(s, withV.label, withV.toggles), {}, { strategy: 'bfs', por: false, symmetry: false });
    const b = search(x, compileScenario(s, rfc.label, rfc.toggles), {}, { strategy: 'bfs', por: false, symmetry: false });
    expect(a.variant).toBe('v6.2+rfc-v4-replace');
    expect([a.verdict, a.stats.states]).toEqual(['violation', 97]);
    expect(a.violations.map((v) => [v.property, v.path])).toEqual(b.violations.map((v) => [v.property, v.path]));
  });
});

describe('9: --workers 2 reports the same paths every run', async () => {
  const x = await loadKernel();
  it('F07 on rfc-v4: five parallel runs and one single-worker run give identical violations', async () => {
    const s = readScenario('scenarios/F07-replace-vs-add.fdr');
    const v = parseVariant('rfc-v4');
    const c = compileScenario(s, v.label, v.toggles);
    const o = { strategy: 'bfs' as const, por: false, symmetry: false };
    const one = await searchAsync(x, c, {}, o, 1);
    expect(one.violations.length).toBeGreaterThan(0);
    const want = one.violations.map((w) => [w.property, w.path, w.message]);
    for (let i = 0; i < 5; i++) {
      const par = await searchAsync(x, c, {}, o, 2);
      expect(par.search?.workers).toBe(2);
      expect(par.violations.map((w) => [w.property, w.path, w.message])).toEqual(want);
    }
  });
});

describe('11: trace files', () => {
  const trace = JSON.stringify({ format: 1, tool: 'fdrace' });
  it('a byte order mark before the JSON is accepted (it said "not JSON")', () => {
    const err = (t: string) => {
      try {
        parseTraceText(t);
        return '';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(err(`\ufeff${trace}`)).not.toMatch(/not JSON|format/);
    expect(err(`\ufeff${trace}`)).toBe(err(trace));
  });
  it('"format": "1" (a string) is named precisely', () => {
    expect(() => parseTraceText('{"format": "1", "tool": "fdrace"}')).toThrowError('"format" must be the number 1, not the string "1" (write "format": 1)');
  });
});

describe('found by npm run fuzz', async () => {
  const x = await loadKernel();
  it('symmetry renames the notify_lock owner: two identical trapping targets are not a false AA deadlock', () => {
    const text = `scenario twotraps
file A socket
process P
  fd 0 = A
process S
  fd 4 = A
thread T0 in P
  seccomp_trap()
thread T1 in P
  seccomp_trap()
thread T2 in S
  replace(7, A)
check locks
variants current
result current deadlock
`;
    const c = compileText(text, 'current');
    const plain = search(x, c, {}, { strategy: 'bfs', por: false, symmetry: false });
    for (const strategy of ['bfs', 'dfs'] as const) {
      const sym = search(x, c, {}, { strategy, por: false, symmetry: true });
      expect([strategy, sym.verdict, sym.violations.map((v) => v.property)]).toEqual([strategy, plain.verdict, plain.violations.map((v) => v.property)]);
    }
    expect(plain.violations.map((v) => v.property)).toEqual(['deadlock']);
  });
});

describe('found by npm run fuzz (2)', async () => {
  const x = await loadKernel();
  it('an fd beyond the table is an empty slot in expectations (the check read past the table)', () => {
    const text = `scenario beyond
file A socket
process P
  fd 3 = A
thread T in P
  close(3)
expect empty: always P.fd[200] == none && P.fd[15..255] == none && !(P.fd[255] == A)
option max_fds 15
variants v6.2
result v6.2 pass
`;
    for (const strategy of ['bfs', 'dfs', 'random', 'pb'] as const) {
      const r = search(x, compileText(text, 'v6.2'), {}, { strategy, por: false, symmetry: false, walks: 5 });
      expect([strategy, r.violations]).toEqual([strategy, []]);
    }
  });
});
