// Scenario -> the kernel's configuration block (layout in model/layout.ts, C_* offsets). The kernel builds the
// initial state from it, so the layout of states stays the kernel's business.

import { Addr, Cap, Cfg } from '../../model/abi.ts';
import { Kind, Modality, PredOp, Toggle } from '../../model/codes.ts';
import { eventsToByte } from '../scenario/parse.ts';
import { encodeOp, opFds } from './ops.ts';
import type { Expectation, Expr, Loc, Op, Scenario } from '../scenario/types.ts';
import { builtinCheck } from './builtins.ts';
import { ScenarioError } from '../scenario/types.ts';
import { buildIndexes, type Indexes } from './indexes.ts';
import { parseVariant } from '../variants.ts';
import { PRED_STACK, compileExpr } from './predicates.ts';
import { C_FAULT_SITES, faultSiteBytes } from '../scenario/faults.ts';
import { KERNEL_PATH_LIMITS } from '../scenario/outcomes.ts';

/** Must match model/routines/loop_limits.ts C_PATH_LIMITS. */
const C_PATH_LIMITS: number = Cfg.PathLimits;
import { MAX_RETURNS, WatchedReturns, atomThreads } from './atoms.ts';

// The configuration block's offsets and capacities: model/abi.ts, shared with the kernel.
const C = {
  NTABLES: Cfg.NTables,
  NSLOTS: Cfg.NSlots,
  NFILES: Cfg.NFiles,
  NEPOLLS: Cfg.NEpolls,
  NTHREADS: Cfg.NThreads,
  NITEMS: Cfg.NItems,
  FAULTS: Cfg.Faults,
  MAXWATCH: Cfg.MaxWatch,
  TOGGLES: Cfg.Toggles,
  NEXPECT: Cfg.NExpect,
  MAXOPS: Cfg.MaxOps,
  URING: Cfg.Uring,
  TARGET: Cfg.Target,
  FILE_KIND: Cfg.FileKind,
  FILE_EP: Cfg.FileEp,
  EP_FILE: Cfg.EpFile,
  TABLE_USERS: Cfg.TableUsers,
  THREAD_TABLE: Cfg.ThreadTable,
  THREAD_NOPS: Cfg.ThreadNops,
  OPS: Cfg.Ops,
  EXPECT: Cfg.Expect,
  CODE: Cfg.Code,
  INIT_SLOTS: Cfg.InitSlots,
  INIT_ITEMS: Cfg.InitItems,
  UNBORN: Cfg.Unborn,
  SIZE: Addr.CfgSize,
} as const;
const LIMIT = {
  files: Cap.Files,
  epolls: Cap.Epolls,
  threads: Cap.Threads,
  tables: Cap.Tables,
  slots: Cap.Slots,
  items: Cap.Items,
  expect: Cap.Expect,
  code: Cap.Code,
};

/** One property the search reports on: a scenario expectation or a built-in `check`. */
export interface CompiledExpectation {
  label: string;
  modality: 'always' | 'never' | 'at-end' | 'sometimes';
  text: string;
  line: number;
  /** Modality `when`: the return it is about, as written (`T.op[2] returns`); the kernel checks it as always. */
  when?: string;
  /** The kind a built-in's part reports (PROPERTY.KIND, checker/scenario/kinds.ts); absent for expectations. */
  kind?: string;
}

export interface Compiled {
  scenario: Scenario;
  variant: string;
  toggles: number;
  ix: Indexes;
  nSlots: number;
  nItems: number;
  expectations: CompiledExpectation[];
  /** The configuration block, CFG_SIZE bytes. */
  bytes: Uint8Array;
}

const MODALITY = { always: Modality.Always, never: Modality.Never, 'at-end': Modality.AtEnd, sometimes: Modality.Sometimes };

function fdsUsed(s: Scenario): number[] {
  const out: number[] = [];
  for (const p of s.processes) for (const d of p.fds) out.push(d.fd);
  for (const w of s.watches) out.push(w.fd);
  for (const t of s.threads) for (const op of t.ops) out.push(...opFds(op));
  return out;
}

/** Expectation text as messages and traces quote it: a very long expression is cut (traces limit a message to
 *  2,000 characters; the source line is in the scenario anyway). */
export function shortText(text: string): string {
  return text.length <= 500 ? text : `${text.slice(0, 400)} … (${text.length} characters, see the scenario)`;
}

/** At most `max` of `items`: else an error located at the first declaration over the model's capacity. */
function limit<T extends { loc: Loc }>(items: readonly T[], max: number, what: string, file: string): void {
  if (items.length > max) {
    throw new ScenarioError(`the model supports at most ${max} ${what}; this is number ${max + 1} (the scenario has ${items.length})`, items[max]!.loc, file);
  }
}

/** The scenario as it runs on one variant: threads with a `when` list run only on the presets it names. */
export function forVariant(s0: Scenario, variant: string): Scenario {
  const preset = parseVariant(variant).preset;
  return { ...s0, threads: s0.threads.filter((t) => !t.when || t.when.includes(preset)) };
}

export function compileScenario(s0: Scenario, variant: string, toggles: number, file = s0.name): Compiled {
  const s = forVariant(s0, variant);
  const at = (loc: { line: number; col: number }, msg: string): never => {
    throw new ScenarioError(msg, loc, file);
  };
  if (s.threads.length === 0)
    at(
      s0.threads[0]?.loc ?? { line: 1, col: 1 },
      `no thread runs on variant ${variant} (every thread has a 'when' list without ${parseVariant(variant).preset})`,
    );
  const ix = buildIndexes(s);
  const absent = (name: string) => !ix.threadNames.includes(name);
  const usesAbsent = (e: Expr): string | undefined => {
    if (e.kind === 'and' || e.kind === 'or') return usesAbsent(e.left) ?? usesAbsent(e.right);
    if (e.kind === 'not') return usesAbsent(e.expr);
    if ((e.kind === 'ret' || e.kind === 'done') && absent(e.thread)) return e.thread;
    return atomThreads(e).find(absent);
  };
  limit(s.files, LIMIT.files, 'files (including epoll files)', file);
  limit(
    s.files.filter((f) => f.kind === 'epoll'),
    LIMIT.epolls,
    'epoll instances',
    file,
  );
  limit(s.threads, LIMIT.threads, 'threads', file);
  limit(
    s.processes.filter((p) => !p.shares),
    LIMIT.tables,
    'fd tables (processes that share no table)',
    file,
  );

  const maxFd = Math.max(0, ...fdsUsed(s));
  const nSlots = s.options.maxFds ?? Math.min(LIMIT.slots, (Math.floor(maxFd / 8) + 1) * 8);
  if (nSlots > LIMIT.slots) at({ line: 1, col: 1 }, `the model supports fd tables of at most ${LIMIT.slots} slots`);
  const maxOps = Math.max(1, ...s.threads.map((t) => t.ops.length));
  const adds = s.threads.reduce((n, t) => n + t.ops.filter((o) => o.kind === 'epoll_ctl' && o.op === 'ADD').length, 0);
  const replaces = s.threads.reduce((n, t) => n + t.ops.filter((o) => o.kind === 'replace').length, 0);
  // Every ADD and every RFC re-insert allocates before anything is freed; twice that, plus slack, is enough.
  const nItems = Math.min(LIMIT.items, (s.watches.length + adds) * (2 + replaces) + 4);

  const b = new Uint8Array(C.SIZE);
  const dv = new DataView(b.buffer);
  b[C.NTABLES] = ix.tableNames.length;
  b[C.NSLOTS] = nSlots;
  b[C.NFILES] = ix.fileNames.length;
  b[C.NEPOLLS] = ix.epollNames.length;
  b[C.NTHREADS] = ix.threadNames.length;
  b[C.NITEMS] = nItems;
  // reverse_path_check's path_limits (model/routines/loop_limits.ts C_PATH_LIMITS), the kernel's unless scaled.
  (s.options.pathLimits ?? KERNEL_PATH_LIMITS).forEach((v, d) => dv.setUint16(C_PATH_LIMITS + d * 2, v, true));
  b[C.FAULTS] = s.options.faults;
  if (s.options.faultSites) {
    // Per-site budgets: the kernel decides per site (model/fault_sites.ts); the explorer's global test only
    // stops when every budget is used up (the mixed-radix count reaches 255 only then).
    const r = faultSiteBytes(s.options.faultSites, s.options.faults);
    if ('error' in r) at({ line: 1, col: 1 }, r.error);
    else {
      b.set(r.bytes, C_FAULT_SITES);
      b[C.FAULTS] = r.bytes[1] === 0 ? 0 : 255;
    }
  }
  b[C.MAXWATCH] = s.options.maxUserWatches;
  dv.setUint32(C.TOGGLES, toggles >>> 0, true);
  b[C.MAXOPS] = maxOps;

  s.files.forEach((f, i) => {
    b[C.FILE_KIND + i] = f.kind === 'socket' ? Kind.Socket : f.kind === 'regular' ? Kind.Regular : Kind.Epoll;
    b[C.FILE_EP + i] = f.kind === 'epoll' ? ix.epoll(f.name) : 0xff;
    if (f.kind === 'epoll') b[C.EP_FILE + ix.epoll(f.name)] = i;
  });

  for (const p of s.processes) {
    if (p.shares) continue;
    const t = ix.tableOf(p.name);
    for (const d of p.fds) {
      if (d.fd >= nSlots) at(d.loc, `fd ${d.fd} is outside the table (max_fds ${nSlots})`);
      b[C.INIT_SLOTS + t * 64 + d.fd] = ix.file(d.file) + 1;
    }
  }
  const created = new Map<string, Op>();
  const forked = new Map<string, number>();
  for (const t of s.threads) {
    for (const op of t.ops) {
      if (op.kind === 'epoll_create') {
        if (created.has(op.epoll)) at(op.loc, `epoll ${op.epoll} is created twice (first at line ${created.get(op.epoll)!.loc.line})`);
        created.set(op.epoll, op);
      }
      if (op.kind === 'fork') {
        if (forked.has(op.child)) at(op.loc, `fork(${op.child}): ${op.child} is already forked at line ${forked.get(op.child)} (a process is forked once)`);
        forked.set(op.child, op.loc.line);
        const child = s.processes.find((p) => p.name === op.child)!;
        if (child.shares) at(op.loc, `fork(${op.child}): ${op.child} shares ${child.shares}'s table (CLONE_FILES); fork needs a table of its own`);
        if (child.fds.length > 0) at(op.loc, `fork(${op.child}): ${op.child} must start with an empty fd table (fork fills it)`);
        if (ix.tableOf(op.child) === ix.tableOf(t.process)) at(op.loc, `fork(${op.child}): that is the thread's own table`);
      }
    }
  }
  let unborn = 0;
  for (const f of s.files) {
    const held = s.processes.some((p) => p.fds.some((d) => d.file === f.name));
    const op = created.get(f.name);
    if (op && held) at(op.loc, `epoll ${f.name} is in an fd table from the start, so epoll_create(${f.name}) cannot create it`);
    if (op) unborn |= 1 << ix.file(f.name);
    else if (!held) at(f.loc, `file ${f.name} is not in any fd table: nothing holds a reference to it`);
  }
  dv.setUint16(C.UNBORN, unborn, true);
  for (const w of s.watches) {
    // A created epoll starts empty, and nothing can watch a file that does not exist yet.
    if (created.has(w.epoll)) at(w.loc, `watch: ${w.epoll} is created by epoll_create and starts with no items`);
    if (created.has(w.file)) at(w.loc, `watch: ${w.file} is created by epoll_create and does not exist at the start`);
  }

  s.threads.forEach((t, i) => {
    const tb = ix.tableOf(t.process);
    b[C.THREAD_TABLE + i] = tb;
    b[C.TABLE_USERS + tb] = (b[C.TABLE_USERS + tb] ?? 0) + 1;
    b[C.THREAD_NOPS + i] = t.ops.length;
    t.ops.forEach((op, k) => {
      encodeOp(op, ix).forEach((v, j) => (b[C.OPS + (i * Cap.Ops + k) * Cap.OpBytes + j] = v));
      if (op.elseSkip) b[C.OPS + (i * Cap.Ops + k) * Cap.OpBytes + 6] = 1;
    });
  });

  b[C.URING] = s.threads.some((t) => t.ops.some((o) => o.kind.startsWith('io_uring'))) ? 1 : 0;
  const trapper = s.threads.find((t) => t.ops.some((o) => o.kind === 'seccomp_trap'));
  b[C.TARGET] = trapper ? ix.tableOf(trapper.process) : 0xff;
  b[C.INIT_ITEMS] = s.watches.length;
  s.watches.forEach((w, k) => {
    const p = C.INIT_ITEMS + 1 + k * 5;
    b[p] = ix.epoll(w.epoll);
    b[p + 1] = ix.file(w.file);
    b[p + 2] = w.fd;
    b[p + 3] = eventsToByte([...w.events, 'ERR', 'HUP']);
    b[p + 4] = w.data & 0xff;
  });

  const expectations: CompiledExpectation[] = [];
  const code: number[] = [];
  // Capacity errors name the expectation (or check) that does not fit, at its line.
  const add = (label: string, modality: CompiledExpectation['modality'], text: string, loc: Loc, emit: () => number, kind?: string, line = loc.line) => {
    if (expectations.length >= LIMIT.expect) at(loc, `at most ${LIMIT.expect} expectations per scenario (checks and built-in properties count too)`);
    const k = expectations.length;
    b[C.EXPECT + k * 4] = MODALITY[modality];
    dv.setUint16(C.EXPECT + k * 4 + 2, code.length, true);
    const depth = emit();
    if (depth > PRED_STACK) at(loc, `the expression needs ${depth} evaluation stack entries; the model has ${PRED_STACK} (nest fewer parentheses)`);
    code.push(0);
    if (code.length > LIMIT.code)
      at(loc, `the expectations are too large for the model: ${code.length} bytes of bytecode up to this line, at most ${LIMIT.code}`);
    const short = shortText(text);
    expectations.push(kind === undefined ? { label, modality, text: short, line } : { label, modality, text: short, line, kind });
  };
  const watched = new WatchedReturns();
  /** Built-in checks' bytecode: a comparison of two values at most (depth 2). */
  const emitCode = (bytes: readonly number[], depth = 2): number => {
    code.push(...bytes);
    return depth;
  };
  // A watched return wraps the body as `!just_returned(j) || body`: one entry more than the body needs.
  const watchedDepth = (j: number, body: () => number): number => {
    let d = 0;
    watched.emit(
      j,
      () => {
        d = body();
      },
      code,
    );
    return Math.max(2, d + 1);
  };
  for (const e of s.expectations as Expectation[]) {
    const who = usesAbsent(e.expr) ?? (e.returns && absent(e.returns.thread) ? e.returns.thread : undefined);
    if (who) continue; // the expectation is about a thread this variant does not run
    const r = e.returns;
    if (e.modality === 'when' && r) {
      const j = watched.index(ix.thread(r.thread), r.op - 1);
      if (j >= MAX_RETURNS) at(e.loc, `at most ${MAX_RETURNS} different returns may be watched with 'when'`);
      add(e.label, 'always', e.text, e.loc, () => watchedDepth(j, () => compileExpr(e.expr, ix, code)));
      expectations[expectations.length - 1]!.when = `${r.thread}.op[${r.op}] returns`;
      continue;
    }
    add(e.label, e.modality as CompiledExpectation['modality'], e.text, e.loc, () => compileExpr(e.expr, ix, code));
  }
  for (const c of s.checks) {
    for (const b of builtinCheck(s, ix, c.name, nSlots)) {
      if (c.kind !== undefined && b.kind !== c.kind) continue; // `check PROPERTY.KIND`: that part only
      const r = b.returns;
      if (r) {
        const j = watched.index(r.thread, r.op);
        if (j >= MAX_RETURNS) at(c.loc, `at most ${MAX_RETURNS} different returns may be watched`);
        add(c.name, 'always', b.text, c.loc, () => watchedDepth(j, () => emitCode(b.code)), b.kind);
        expectations[expectations.length - 1]!.when = `${ix.threadNames[r.thread]}.op[${r.op + 1}] returns`;
      } else add(c.name, b.modality, b.text, c.loc, () => emitCode(b.code), b.kind);
    }
  }
  if (toggles & Toggle.EpRefcount && ix.epollNames.length > 0) {
    // E4 is always on for the refcount epoll: at the end every eventpoll's count equals its holders.
    const where = s.files.find((f) => f.kind === 'epoll')!.loc;
    add('refcount', 'at-end', 'ep->refcount equals 1 (epoll file) + its epitems (E4)', where, () => emitCode([PredOp.EpRefsOk], 1), 'ep-holders', 1);
  }
  watched.write(b);
  b[C.NEXPECT] = expectations.length;
  b.set(code, C.CODE);

  return { scenario: s, variant, toggles, ix, nSlots, nItems, expectations, bytes: b };
}
