// Fuzz inputs, all derived from (seed, index) by fast-check, so any one input is regenerated exactly from the
// numbers a report prints. Two sources: the bundled scenarios (scenarios/, bench/) under random text mutations,
// and scenarios generated from the language's grammar over every statement and operation (then sometimes mutated
// too). Each input carries a plan: which strategies and limits its bounded checks use.

import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { BUILTIN_PROPERTIES, ERRNO, EVENT_NAMES } from '../../checker/scenario/constants.ts';
import type { Strategy, StorageMode } from '../../checker/search/options.ts';
import { TOGGLES, VARIANT_NAMES } from '../../checker/variants.ts';

export interface CheckPlan {
  strategy: Strategy;
  storage: StorageMode;
  por: boolean;
  symmetry: boolean;
  maxStates: number;
  maxDepth?: number;
  walks: number;
  walkDepth: number;
  seed: number;
  maxPreemptions?: number;
  maxMemoryMiB?: number;
}

export interface FuzzInput {
  /** Where the text came from: `mutant:FILE`, `generated` or `generated+mutant`. */
  origin: string;
  text: string;
  /** Bounded checks to run on (at most) the first two variants that compile; empty: parse and compile only. */
  checks: CheckPlan[];
}

const ROOT = join(import.meta.dirname, '..', '..');

/** The bundled scenarios, the seeds of the mutants. */
export const BASES: { file: string; text: string }[] = (() => {
  const dirs = ['scenarios', 'scenarios/history', 'bench'];
  const out: { file: string; text: string }[] = [];
  for (const d of dirs) {
    for (const f of readdirSync(join(ROOT, d)).sort()) {
      if (f.endsWith('.fdr')) out.push({ file: `${d}/${f}`, text: readFileSync(join(ROOT, d, f), 'utf8') });
    }
  }
  return out;
})();

// ---- mutations -------------------------------------------------------------------------------------------------

/** Tokens worth splicing in: keywords, names the bases use, boundary numbers, operators, junk. */
const TOKENS = [
  'scenario',
  'title',
  'file',
  'epoll',
  'process',
  'shares',
  'watch',
  'thread',
  'in',
  'when',
  'expect',
  'check',
  'variants',
  'result',
  'option',
  'faults',
  'max_fds',
  'max_user_watches',
  'always',
  'never',
  'sometimes',
  'at end',
  'pass',
  'violation',
  'deadlock',
  'socket',
  'regular',
  'none',
  'fd',
  'else skip',
  'data=7',
  'IN|OUT',
  'ET|ONESHOT',
  'has',
  '.ref',
  '.done',
  '.state',
  '.ret',
  '.count(A, 3)',
  'live',
  'dying',
  'freed',
  '-EBADF',
  '-ENOENT',
  '0',
  '1',
  '3',
  '7',
  '8',
  '31',
  '32',
  '63',
  '64',
  '65',
  '127',
  '128',
  '254',
  '255',
  '256',
  '4095',
  '4096',
  '65535',
  '65536',
  '99999999999999999999',
  '-1',
  '0x10',
  '1.5',
  '(',
  ')',
  '[',
  ']',
  '..',
  ',',
  '=',
  '==',
  '!=',
  '<=',
  '>=',
  '<',
  '>',
  '||',
  '&&',
  '!',
  ';',
  ':',
  '~',
  '+',
  '"',
  '"x"',
  '#',
  '\t',
  ' ',
  '\r',
  '\u00a0',
  '\ufeff',
  'é',
  '\u0000',
  'A',
  'B',
  'E',
  'NEW',
  'OLD',
  'P',
  'Q',
  'S',
  'T',
  'T1',
  'SV',
  'U',
  ...VARIANT_NAMES,
  ...TOGGLES.map((t) => `~${t.name}`),
  ...TOGGLES.map((t) => `+${t.name}`),
  ...BUILTIN_PROPERTIES,
  'close(3)',
  'dup(3)',
  'dup2(3, 4)',
  'replace(3, NEW)',
  'epoll_ctl(5, ADD, 3)',
  'epoll_ctl(5, DEL, 3)',
  'fget(3)',
  'fput()',
  'epoll_wait(5)',
  'epoll_create(E)',
  'fork(C)',
  'pidfd_getfd(P, 3)',
  'seccomp_trap()',
  'recv()',
  'send()',
  'addfd(3, 4)',
  'addfd(200, 4)',
  'kcmp(P, 3, 3)',
  'io_uring_register(0, 3)',
  'io_uring_unregister(0)',
  'io_uring_io(0)',
  'expand_fdtable()',
];

type Mutation =
  | { kind: 'delete-line' | 'duplicate-line' | 'indent' | 'dedent' | 'truncate-line'; at: number }
  | { kind: 'swap-lines'; at: number; other: number }
  | { kind: 'replace-token' | 'insert-token'; at: number; token: number }
  | { kind: 'number'; at: number; value: number }
  | { kind: 'insert-line'; at: number; line: string }
  | { kind: 'bytes'; at: number; text: string }
  | { kind: 'long-chain'; at: number; n: number; op: '||' | '&&' }
  | { kind: 'nest'; at: number; n: number }
  | { kind: 'truncate'; at: number };

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constantFrom('delete-line', 'duplicate-line', 'indent', 'dedent', 'truncate-line'), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap-lines'), at: fc.nat(), other: fc.nat() }),
  fc.record({ kind: fc.constantFrom('replace-token', 'insert-token'), at: fc.nat(), token: fc.nat() }),
  fc.record({ kind: fc.constant('replace-token'), at: fc.nat(), token: fc.nat() }),
  fc.record({
    kind: fc.constant('number'),
    at: fc.nat(),
    value: fc.oneof(fc.nat({ max: 300 }), fc.constantFrom(0, 63, 64, 255, 256, 65535, 2 ** 31, 2 ** 53)),
  }),
  fc.record({ kind: fc.constant('insert-line'), at: fc.nat(), line: fc.constantFrom(...TOKENS).map((t) => t) }),
  fc.record({ kind: fc.constant('bytes'), at: fc.nat(), text: fc.string({ maxLength: 6 }) }),
  fc.record({
    kind: fc.constant('long-chain'),
    at: fc.nat(),
    n: fc.oneof(fc.integer({ min: 2, max: 40 }), fc.integer({ min: 2, max: 3000 })),
    op: fc.constantFrom('||' as const, '&&' as const),
  }),
  fc.record({ kind: fc.constant('nest'), at: fc.nat(), n: fc.integer({ min: 1, max: 100 }) }),
  fc.record({ kind: fc.constant('truncate'), at: fc.nat() }),
);

const TOKEN_RE = /[A-Za-z_][A-Za-z0-9_.~-]*|\d+|\S/g;

function mutate(text: string, m: Mutation): string {
  const lines = text.split('\n');
  const li = (k: number) => k % Math.max(1, lines.length);
  switch (m.kind) {
    case 'delete-line':
      lines.splice(li(m.at), 1);
      return lines.join('\n');
    case 'duplicate-line':
      lines.splice(li(m.at), 0, lines[li(m.at)] ?? '');
      return lines.join('\n');
    case 'indent':
      lines[li(m.at)] = `  ${lines[li(m.at)] ?? ''}`;
      return lines.join('\n');
    case 'dedent':
      lines[li(m.at)] = (lines[li(m.at)] ?? '').trimStart();
      return lines.join('\n');
    case 'truncate-line': {
      const l = lines[li(m.at)] ?? '';
      lines[li(m.at)] = l.slice(0, m.at % (l.length + 1));
      return lines.join('\n');
    }
    case 'swap-lines': {
      const a = li(m.at);
      const b = li(m.other);
      [lines[a], lines[b]] = [lines[b] ?? '', lines[a] ?? ''];
      return lines.join('\n');
    }
    case 'insert-line':
      lines.splice(li(m.at), 0, (m.at & 1 ? '  ' : '') + m.line);
      return lines.join('\n');
    case 'replace-token':
    case 'insert-token': {
      const toks = [...text.matchAll(TOKEN_RE)];
      if (toks.length === 0) return text + TOKENS[m.token % TOKENS.length];
      const t = toks[m.at % toks.length]!;
      const rep = TOKENS[m.token % TOKENS.length]!;
      const at = t.index!;
      return m.kind === 'replace-token' ? text.slice(0, at) + rep + text.slice(at + t[0].length) : `${text.slice(0, at)}${rep} ${text.slice(at)}`;
    }
    case 'number': {
      const nums = [...text.matchAll(/\d+/g)];
      if (nums.length === 0) return text;
      const t = nums[m.at % nums.length]!;
      return text.slice(0, t.index!) + String(m.value) + text.slice(t.index! + t[0].length);
    }
    case 'bytes': {
      const at = m.at % (text.length + 1);
      return text.slice(0, at) + m.text + text.slice(at);
    }
    case 'long-chain': {
      // Repeat an expectation's expression into a chain (the stack-depth defect), or append one.
      const i = lines.findIndex((l) => l.startsWith('expect '));
      const atom = 'P.fd[3] == A';
      const chain = Array.from({ length: m.n }, () => atom).join(` ${m.op} `);
      if (i < 0) lines.push(`expect long: always ${chain}`);
      else lines[i] = `${lines[i]} ${m.op} ${chain}`;
      return lines.join('\n');
    }
    case 'nest': {
      const i = lines.findIndex((l) => l.startsWith('expect '));
      const body = `${'('.repeat(m.n)}P.fd[3] == A${')'.repeat(m.n)}`;
      if (i < 0) lines.push(`expect nest: always ${m.at & 1 ? `${'!'.repeat(m.n)}P.fd[3] == A` : body}`);
      else lines[i] = `${lines[i]} || ${body}`;
      return lines.join('\n');
    }
    case 'truncate':
      return text.slice(0, m.at % (text.length + 1));
  }
}

// ---- generated scenarios ----------------------------------------------------------------------------------------

const FDS = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 15, 16, 31, 63, 64, 100, 255];
const fdArb = fc.oneof({ weight: 6, arbitrary: fc.integer({ min: 0, max: 9 }) }, { weight: 1, arbitrary: fc.constantFrom(...FDS) });
const eventsArb = fc.uniqueArray(fc.constantFrom(...EVENT_NAMES), { minLength: 1, maxLength: 3 }).map((e) => e.join('|'));

interface World {
  files: string[];
  epolls: string[];
  processes: string[];
  threads: string[];
}

function opArb(w: World): fc.Arbitrary<string> {
  const file = fc.constantFrom(...w.files, ...w.epolls);
  const proc = fc.constantFrom(...w.processes);
  const epoll = w.epolls.length ? fc.constantFrom(...w.epolls) : fc.constant('E0');
  const ctl = fc
    .tuple(
      fdArb,
      fc.constantFrom('ADD', 'DEL', 'MOD'),
      fdArb,
      fc.option(eventsArb, { nil: undefined }),
      fc.option(fc.integer({ min: 0, max: 255 }), { nil: undefined }),
    )
    .map(([e, o, n, ev, d]) => `epoll_ctl(${e}, ${o}, ${n}${o !== 'DEL' && ev ? `, ${ev}` : ''}${o !== 'DEL' && d !== undefined ? `, data=${d}` : ''})`);
  return fc.oneof(
    fdArb.map((n) => `close(${n})`),
    fdArb.map((n) => `dup(${n})`),
    fc.tuple(fdArb, fdArb).map(([a, b]) => `dup2(${a}, ${b})`),
    fc.tuple(fdArb, file).map(([n, f]) => `replace(${n}, ${f})`),
    ctl,
    fdArb.map((n) => `fget(${n})\n  fput()`),
    fdArb.map((n) => `epoll_wait(${n})`),
    ...(w.epolls.length ? [epoll.map((e) => `epoll_create(${e})`)] : []),
    proc.map((p) => `fork(${p})`),
    fc.tuple(proc, fdArb).map(([p, n]) => `pidfd_getfd(${p}, ${n})`),
    fc.constant('seccomp_trap()'),
    fc.constant('recv()'),
    fc.constant('send()'),
    fc.tuple(fdArb, fdArb).map(([a, b]) => `addfd(${a}, ${b})`),
    fc.tuple(proc, fdArb, fdArb).map(([p, a, b]) => `kcmp(${p}, ${a}, ${b})`),
    fc.tuple(fc.integer({ min: 0, max: 3 }), fdArb).map(([k, n]) => `io_uring_register(${k}, ${n})`),
    fc.integer({ min: 0, max: 3 }).map((k) => `io_uring_unregister(${k})`),
    fc.integer({ min: 0, max: 3 }).map((k) => `io_uring_io(${k})`),
    fc.constant('expand_fdtable()'),
  );
}

function atomArb(w: World): fc.Arbitrary<string> {
  const file = fc.constantFrom(...w.files, ...w.epolls);
  const cmp = fc.constantFrom('==', '!=', '<', '<=', '>', '>=');
  const n = fc.integer({ min: 0, max: 9 });
  const parts: fc.Arbitrary<string>[] = [
    fc
      .tuple(fc.constantFrom(...w.processes), fdArb, fc.boolean(), fc.oneof(file, fc.constant('none')))
      .map(([p, fd, eq, f]) => `${p}.fd[${fd}] ${eq ? '==' : '!='} ${f}`),
    fc.tuple(file, cmp, n).map(([f, c, v]) => `${f}.ref ${c} ${v}`),
    fc.tuple(file, fc.boolean(), fc.constantFrom('live', 'dying', 'freed')).map(([f, eq, st]) => `${f}.state ${eq ? '==' : '!='} ${st}`),
    fc
      .tuple(
        fc.constantFrom(...w.threads),
        cmp,
        fc.oneof(
          n.map(String),
          fc.constantFrom(...Object.keys(ERRNO)).map((e) => `-${e}`),
        ),
      )
      .map(([t, c, v]) => `${t}.ret ${c} ${v}`),
    fc.constantFrom(...w.threads).map((t) => `${t}.done`),
  ];
  if (w.epolls.length) {
    parts.push(fc.tuple(fc.constantFrom(...w.epolls), file, fdArb).map(([e, f, fd]) => `${e} has (${f}, ${fd})`));
    parts.push(fc.tuple(fc.constantFrom(...w.epolls), file, fdArb, cmp, n).map(([e, f, fd, c, v]) => `${e}.count(${f}, ${fd}) ${c} ${v}`));
  }
  return fc.oneof(...parts);
}

function exprArb(w: World): fc.Arbitrary<string> {
  const { expr } = fc.letrec<{ expr: string }>((tie) => ({
    expr: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      atomArb(w),
      fc.tuple(tie('expr'), fc.constantFrom('||', '&&'), tie('expr')).map(([a, o, b]) => `${a} ${o} ${b}`),
      tie('expr').map((e) => `!(${e})`),
      tie('expr').map((e) => `(${e})`),
    ),
  }));
  return expr;
}

const labelArb = fc
  .record({
    preset: fc.constantFrom(...VARIANT_NAMES),
    off: fc.uniqueArray(fc.constantFrom(...TOGGLES.map((t) => t.name)), { maxLength: 2 }),
  })
  .map(({ preset, off }) => preset + off.map((t) => `~${t}`).join(''));

/** Mostly valid scenarios (about half compile on their variants): every object is held by a table, watches are of
 *  pollable files, max_fds fits the tables, at least one thread runs on every variant; operations and their
 *  arguments range over everything, including fds the table does not have. */
const generatedArb: fc.Arbitrary<string> = fc
  .record({
    nFiles: fc.integer({ min: 1, max: 4 }),
    kinds: fc.array(fc.constantFrom('socket', 'socket', 'socket', 'regular'), { minLength: 4, maxLength: 4 }),
    nEpolls: fc.integer({ min: 0, max: 3 }),
    shares: fc.boolean(),
    child: fc.boolean(),
  })
  .chain((g) => {
    const files = ['A', 'B', 'C', 'NEW'].slice(0, g.nFiles);
    const epolls = Array.from({ length: g.nEpolls }, (_, i) => `E${i}`);
    const processes = ['P', 'S', ...(g.shares ? ['Q'] : []), ...(g.child ? ['K'] : [])];
    const objects = [...files, ...epolls];
    const pollable = [...files.filter((_, i) => g.kinds[i] === 'socket'), ...epolls];
    const smallFd = fc.integer({ min: 0, max: 9 });
    return fc
      .record({
        // Where each object is held (P or S, at which fd), then extra slots.
        homes: fc.array(fc.tuple(fc.boolean(), smallFd), { minLength: objects.length, maxLength: objects.length }),
        extra: fc.array(fc.tuple(fc.boolean(), smallFd, fc.constantFrom(...objects)), { maxLength: 4 }),
        nThreads: fc.integer({ min: 1, max: 4 }),
        variants: fc.uniqueArray(labelArb, { minLength: 1, maxLength: 3 }),
        faults: fc.constantFrom(0, 0, 0, 1, 2),
        maxFds: fc.option(fc.integer({ min: 0, max: 60 }), { nil: undefined, freq: 6 }),
        watchers: fc.option(fc.integer({ min: 0, max: 4 }), { nil: undefined, freq: 4 }),
        checks: fc.uniqueArray(fc.constantFrom(...BUILTIN_PROPERTIES), { maxLength: 3 }),
      })
      .chain((h) => {
        const tables: [Map<number, string>, Map<number, string>] = [new Map(), new Map()];
        objects.forEach((o, i) => {
          const [inS, fd] = h.homes[i]!;
          const t = tables[inS ? 1 : 0];
          let f = fd;
          while (t.has(f)) f++;
          t.set(f, o);
        });
        for (const [inS, fd, o] of h.extra) if (!tables[inS ? 1 : 0].has(fd)) tables[inS ? 1 : 0].set(fd, o);
        const maxFd = Math.max(0, ...tables[0].keys(), ...tables[1].keys());
        const threads = Array.from({ length: h.nThreads }, (_, i) => `T${i}`);
        const w: World = { files, epolls, processes, threads };
        const threadArb = (first: boolean) =>
          fc.record({
            proc: fc.constantFrom(...processes.filter((p) => p !== 'K')),
            ops: fc.array(fc.tuple(opArb(w), fc.nat(9)), { minLength: 1, maxLength: 4 }),
            when: first
              ? fc.constant(undefined)
              : fc.option(fc.uniqueArray(fc.constantFrom(...VARIANT_NAMES), { minLength: 1, maxLength: 2 }), { nil: undefined, freq: 5 }),
          });
        const watchArb =
          epolls.length && pollable.length > 1
            ? fc.uniqueArray(fc.tuple(fc.constantFrom(...epolls), fc.constantFrom(...pollable), fdArb, fc.option(eventsArb, { nil: undefined })), {
                selector: ([e, f, fd]) => `${e} ${f} ${fd}`,
                maxLength: 3,
              })
            : fc.constant([] as [string, string, number, string | undefined][]);
        return fc
          .record({
            threads: fc.tuple(threadArb(true), fc.array(threadArb(false), { minLength: h.nThreads - 1, maxLength: h.nThreads - 1 })),
            watches: watchArb,
            expects: fc.array(fc.tuple(fc.constantFrom('always', 'never', 'sometimes', 'at end'), exprArb(w)), { maxLength: 2 }),
          })
          .map((t) => {
            const L: string[] = ['scenario gen', 'title "generated"'];
            files.forEach((f, i) => L.push(`file ${f} ${g.kinds[i]}`));
            for (const e of epolls) L.push(`epoll ${e}`);
            for (const [name, table] of [
              ['P', tables[0]],
              ['S', tables[1]],
            ] as const) {
              L.push(`process ${name}`);
              for (const [fd, o] of [...table].sort((a, b) => a[0] - b[0])) L.push(`  fd ${fd} = ${o}`);
            }
            if (g.shares) L.push('process Q shares P');
            if (g.child) L.push('process K');
            for (const [e, f, fd, ev] of t.watches) if (e !== f) L.push(`watch ${e} (${f}, ${fd})${ev ? ` ${ev}` : ''}`);
            [t.threads[0], ...t.threads[1]].forEach((th, i) => {
              L.push(`thread T${i} in ${th.proc}${th.when ? ` when ${th.when.join(' ')}` : ''}`);
              for (const [op0, skip] of th.ops) {
                // fork needs an empty table of its own (K); epoll_create an epoll no table holds (rarely true here).
                let op = op0;
                if (op.startsWith('fork(')) op = g.child ? 'fork(K)' : 'dup(3)';
                if (op.startsWith('epoll_create(') && skip > 1) op = 'epoll_wait(5)';
                L.push(`  ${op}${skip === 0 && !op.includes('\n') ? ' else skip' : ''}`);
              }
            });
            t.expects.forEach(([m, e], i) => L.push(`expect x${i}: ${m} ${e}`));
            for (const c of h.checks) L.push(`check ${c}`);
            if (h.faults) L.push(`option faults ${h.faults}`);
            if (h.maxFds !== undefined) L.push(`option max_fds ${h.maxFds < 50 ? Math.min(64, maxFd + 1 + h.maxFds) : h.maxFds - 49}`);
            if (h.watchers !== undefined) L.push(`option max_user_watches ${h.watchers}`);
            L.push(`variants ${h.variants.join(' ')}`);
            for (const v of h.variants) L.push(`result ${v} pass`);
            return `${L.join('\n')}\n`;
          });
      });
  });

// ---- plans -----------------------------------------------------------------------------------------------------

const checkArb: fc.Arbitrary<CheckPlan> = fc
  .record({
    strategy: fc.constantFrom<Strategy>('bfs', 'dfs', 'random', 'pb'),
    storage: fc.constantFrom<StorageMode>('full', 'collapse', 'fingerprint', 'bitstate'),
    por: fc.boolean(),
    symmetry: fc.boolean(),
    maxStates: fc.oneof(fc.integer({ min: 1, max: 64 }), fc.integer({ min: 64, max: 300 })),
    maxDepth: fc.option(fc.integer({ min: 1, max: 60 }), { nil: undefined, freq: 4 }),
    walks: fc.integer({ min: 1, max: 8 }),
    walkDepth: fc.integer({ min: 1, max: 200 }),
    seed: fc.nat(),
    maxPreemptions: fc.option(fc.integer({ min: 0, max: 3 }), { nil: undefined }),
    maxMemoryMiB: fc.option(fc.integer({ min: 1, max: 16 }), { nil: undefined, freq: 8 }),
  })
  .map((p) => {
    // What the CLI would refuse is not run: pb keeps whole states.
    if (p.strategy === 'pb') p.storage = 'full';
    return p;
  });

/** One fuzz input. `checkRate`: the share of inputs that get bounded checks (the others: parse + compile). */
export function inputArb(checkRate: number): fc.Arbitrary<FuzzInput> {
  const mutant = fc.record({ base: fc.nat(BASES.length - 1), muts: fc.array(mutationArb, { minLength: 1, maxLength: 4 }) }).map(({ base, muts }) => ({
    origin: `mutant:${BASES[base]!.file}`,
    text: muts.reduce((t, m) => mutate(t, m), BASES[base]!.text),
  }));
  const gen = generatedArb.map((text) => ({ origin: 'generated', text }));
  const genMut = fc.tuple(generatedArb, fc.array(mutationArb, { minLength: 1, maxLength: 2 })).map(([text, muts]) => ({
    origin: 'generated+mutant',
    text: muts.reduce((t, m) => mutate(t, m), text),
  }));
  const unmutated = fc.nat(BASES.length - 1).map((b) => ({ origin: `base:${BASES[b]!.file}`, text: BASES[b]!.text }));
  return fc
    .tuple(
      fc.oneof({ weight: 8, arbitrary: mutant }, { weight: 6, arbitrary: gen }, { weight: 3, arbitrary: genMut }, { weight: 1, arbitrary: unmutated }),
      fc.integer({ min: 0, max: 9999 }).map((n) => n / 10_000),
      fc.array(checkArb, { minLength: 1, maxLength: 1 }),
    )
    .map(([src, r, checks]) => ({ ...src, checks: r < checkRate ? checks : [] }));
}

/** Each fast-check sample also yields DERIVED - 1 cheap systematic variants (a line deleted, duplicated or swapped
 *  with the next, or the text cut after a line), so the cost of generation is shared by DERIVED inputs. */
export const DERIVED = 8;

function derive(base: FuzzInput, k: number): FuzzInput {
  if (k === 0) return base;
  const lines = base.text.split('\n');
  const n = lines.length;
  const at = (Math.imul(k, 0x9e3779b1) >>> 0) % n;
  switch (k % 4) {
    case 1:
      lines.splice(at, 1);
      break;
    case 2:
      lines.length = at;
      break;
    case 3:
      [lines[at], lines[(at + 1) % n]] = [lines[(at + 1) % n] ?? '', lines[at] ?? ''];
      break;
    default:
      lines.splice(at, 0, lines[at] ?? '');
  }
  return { origin: `${base.origin} (derived ${k})`, text: lines.join('\n'), checks: base.checks };
}

/** Samples are generated in batches (one fast-check run of BATCH values per batch seed): much cheaper than one
 *  run per sample, and still a pure function of (seed, index, checkRate). */
export const BATCH = 1024;
const arbs = new Map<number, fc.Arbitrary<FuzzInput>>();
let cached: { key: string; values: FuzzInput[] } | undefined;

function sampleAt(seed: number, index: number, checkRate: number): FuzzInput {
  const batch = Math.floor(index / BATCH);
  const key = `${seed}/${batch}/${checkRate}`;
  if (cached?.key !== key) {
    let arb = arbs.get(checkRate);
    if (!arb) {
      arb = inputArb(checkRate);
      arbs.set(checkRate, arb);
    }
    cached = { key, values: fc.sample(arb, { seed: (seed + batch * 0x9e3779b1) | 0, numRuns: BATCH }) };
  }
  return cached.values[index % BATCH]!;
}

/** Input `index` of the run with base seed `seed`: regenerated exactly from these numbers. */
export function inputAt(seed: number, index: number, checkRate: number): FuzzInput {
  return derive(sampleAt(seed, Math.floor(index / DERIVED), checkRate), index % DERIVED);
}
