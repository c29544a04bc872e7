// The machinery of test/kernel-vs-spec.test.ts: a generator of random one-thread scenarios, their rendering as
// .fdr text, the kernel driver (step thread 0 to the end, checking invariants after every step), and the
// comparison of the kernel's state after every op with test/spec/sequential.ts.
//
// The driver talks to the Wasm module through the kernel's own exports only (model/index.ts: kConfigure,
// kBuildInitial, kStep, kCheckMask, ...): the compiled configuration is written at the kernel's CFG address and
// the states live in the kernel's scratch region. Nothing here depends on the search engine (checker/search,
// checker/wasm), which may change freely.
//
// GenOptions can leave out whole classes of scenario. The strict property uses the defaults; the options exist
// so that a known disagreement can stay pinned by an example while everything else stays guarded.

import fc from 'fast-check';
import { StepStatus, Viol } from '../../model/codes.ts';
import * as F from '../../model/fields.ts';
import { compileScenario, type Compiled } from '../../checker/compile/config.ts';
import type { FdraceExports } from '../../checker/kernel/exports.ts';
import { parseScenario } from '../../checker/scenario/parse.ts';
import { decodeState } from '../../checker/trace/decode.ts';
import { diffStates } from '../../checker/trace/diff.ts';
import { stepLabel } from '../../checker/trace/labels.ts';
import type { DecodedState } from '../../checker/trace/types.ts';
import { variantByName } from '../../checker/variants.ts';
import { Toggle } from '../../model/codes.ts';
import {
  EVENT_ORDER,
  RING_SLOTS,
  SequentialSpec,
  sortItems,
  type SpecEvent,
  type SpecInit,
  type SpecItem,
  type SpecKind,
  type SpecOp,
  type SpecRingSlot,
  type SpecRun,
  type SpecSnapshot,
} from './sequential.ts';

/** Kernel generations whose one-thread meaning is the specification's (the RFC variants also re-key epoll
 *  items and other fds on replace, so they are not). Every scenario is checked on all of them. */
export const SEQUENTIAL_VARIANTS: readonly string[] = ['v6.2', 'current', 'current-pre-6.16'];
const MAX_STEPS = 5000;

// Fixed addresses of the kernel (model/layout.ts): the configuration block and two 4 KiB scratch states.
export const CFG_ADDR = 16384;
const CFG_BYTES = 8192;
export const STATE_A = 24576;
export const STATE_B = 28672;
const STATE_MAX = 4096;

// ---- the generated scenario -------------------------------------------------------------------------------

/** An op plus how to write it: `terse` omits events equal to the default (IN) and data equal to the fd. */
export type GenOp = SpecOp & { terse?: boolean };

export interface GenScenario {
  files: { name: string; kind: SpecKind }[];
  /** Processes in order; `shares` names the owner of the table (CLONE_FILES). A fork child has no fds. */
  processes: { name: string; shares?: string; fds: [number, string][] }[];
  watches: { epoll: string; file: string; fd: number; events: SpecEvent[]; data: number; terse: boolean }[];
  thread: { name: string; process: string };
  ops: GenOp[];
  maxFds?: number;
  maxUserWatches?: number;
}

function renderEvents(events: SpecEvent[]): string {
  return events.join('|');
}

function renderBaseOp(op: GenOp): string {
  switch (op.kind) {
    case 'close':
    case 'dup':
    case 'fget':
      return `${op.kind}(${op.fd})`;
    case 'dup2':
      return `dup2(${op.oldfd}, ${op.newfd})`;
    case 'replace':
      return `replace(${op.fd}, ${op.file})`;
    case 'fput':
      return 'fput()';
    case 'epoll_ctl': {
      if (op.op === 'DEL') return `epoll_ctl(${op.epfd}, DEL, ${op.fd})`;
      const parts = [`${op.epfd}`, op.op, `${op.fd}`];
      const defaultEvents = op.events.length === 1 && op.events[0] === 'IN';
      if (!(op.terse && defaultEvents)) parts.push(renderEvents(op.events));
      if (!(op.terse && op.data === op.fd)) parts.push(`data=${op.data}`);
      return `epoll_ctl(${parts.join(', ')})`;
    }
    case 'epoll_wait':
      return `epoll_wait(${op.epfd})`;
    case 'epoll_create':
      return `epoll_create(${op.epoll})`;
    case 'fork':
      return `fork(${op.child})`;
    case 'pidfd_getfd':
      return `pidfd_getfd(${op.process}, ${op.fd})`;
    case 'kcmp':
      return `kcmp(${op.process}, ${op.fd}, ${op.own})`;
    case 'io_uring_register':
      return `io_uring_register(${op.slot}, ${op.fd})`;
    case 'io_uring_unregister':
      return `io_uring_unregister(${op.slot})`;
    case 'io_uring_io':
      return `io_uring_io(${op.slot})`;
    case 'expand_fdtable':
      return 'expand_fdtable()';
  }
}

export function renderOp(op: GenOp): string {
  return renderBaseOp(op) + (op.elseSkip ? ' else skip' : '');
}

/** fd lines, with runs of consecutive fds on one file written as a range. */
function renderFds(fds: [number, string][]): string[] {
  const sorted = [...fds].sort((a, b) => a[0] - b[0]);
  const out: string[] = [];
  for (let i = 0; i < sorted.length; ) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1]![0] === sorted[j]![0] + 1 && sorted[j + 1]![1] === sorted[i]![1]) j++;
    const [lo, file] = sorted[i]!;
    const hi = sorted[j]![0];
    out.push(lo === hi ? `  fd ${lo} = ${file}` : `  fd ${lo}..${hi} = ${file}`);
    i = j + 1;
  }
  return out;
}

export function renderScenario(g: GenScenario, name = 'spec-random', variants: readonly string[] = SEQUENTIAL_VARIANTS): string {
  const l: string[] = [`scenario ${name}`, '# generated by test/kernel-vs-spec.test.ts'];
  if (g.maxFds !== undefined) l.push(`option max_fds ${g.maxFds}`);
  if (g.maxUserWatches !== undefined) l.push(`option max_user_watches ${g.maxUserWatches}`);
  for (const f of g.files) l.push(f.kind === 'epoll' ? `epoll ${f.name}` : `file ${f.name} ${f.kind}`);
  for (const p of g.processes) {
    if (p.shares) l.push(`process ${p.name} shares ${p.shares}`);
    else l.push(`process ${p.name}`, ...renderFds(p.fds));
  }
  for (const w of g.watches) {
    const defaultEvents = w.events.length === 1 && w.events[0] === 'IN';
    const ev = w.terse && defaultEvents ? '' : ` ${renderEvents(w.events)}`;
    const data = w.terse && w.data === w.fd ? '' : ` data=${w.data}`;
    l.push(`watch ${w.epoll} (${w.file}, ${w.fd})${ev}${data}`);
  }
  l.push(`thread ${g.thread.name} in ${g.thread.process}`);
  for (const op of g.ops) l.push(`  ${renderOp(op)}`);
  l.push(`variants ${variants.join(' ')}`, ...variants.map((v) => `result ${v} pass`));
  return l.join('\n') + '\n';
}

function tableOwner(g: GenScenario, process: string): string {
  const p = g.processes.find((x) => x.name === process)!;
  return p.shares ?? p.name;
}

/** Every fd number the scenario mentions (fd lines, watches, op arguments). */
function fdsMentioned(g: GenScenario): number[] {
  const used: number[] = [];
  for (const p of g.processes) for (const [fd] of p.fds) used.push(fd);
  for (const w of g.watches) used.push(w.fd);
  for (const op of g.ops) {
    if ('fd' in op) used.push(op.fd);
    if (op.kind === 'dup2') used.push(op.oldfd, op.newfd);
    if (op.kind === 'epoll_ctl' || op.kind === 'epoll_wait') used.push(op.epfd);
    if (op.kind === 'kcmp') used.push(op.own);
  }
  return used;
}

/** max_fds as docs/scenario-language.md states it: the option, else the smallest multiple of 8 above the largest
 *  fd the scenario mentions (capped at the model's 64 slots). */
export function documentedMaxFds(g: GenScenario): number {
  if (g.maxFds !== undefined) return g.maxFds;
  return Math.min(64, (Math.floor(Math.max(0, ...fdsMentioned(g)) / 8) + 1) * 8);
}

/** The epolls the thread creates (declared, in no table at the start). */
export function unbornEpolls(g: GenScenario): string[] {
  return g.ops.flatMap((op) => (op.kind === 'epoll_create' ? [op.epoll] : []));
}

export function specInit(g: GenScenario, maxFds: number): SpecInit {
  return {
    files: g.files,
    tables: g.processes.filter((p) => !p.shares).map((p) => ({ name: p.name, fds: p.fds })),
    processes: g.processes.map((p) => ({ name: p.name, table: p.shares ?? p.name })),
    unborn: unbornEpolls(g),
    watches: g.watches.map((w) => ({ epoll: w.epoll, file: w.file, fd: w.fd, events: w.events, data: w.data })),
    threads: [{ name: g.thread.name, table: tableOwner(g, g.thread.process) }],
    maxFds,
    maxUserWatches: g.maxUserWatches ?? 64,
  };
}

function stripOp(op: GenOp): SpecOp {
  const { terse: _terse, ...rest } = op;
  return rest as SpecOp;
}

// ---- running the kernel ------------------------------------------------------------------------------------

/** A decoded state plus what decodeState leaves out: the io_uring fixed slots (null when the scenario has no
 *  ring). */
export interface KernelState extends DecodedState {
  ring: (SpecRingSlot | null)[] | null;
}

export interface KernelRun {
  /** The state each time the thread was back in user space with no task_work left: after each op that ran. */
  afterOp: KernelState[];
  /** The last state reached. */
  final: KernelState;
  steps: number;
  /** First invariant violation, or why the run could not finish. */
  problem: string | null;
}

const mem = (x: FdraceExports) => new Uint8Array(x.memory.buffer);

/** Write the configuration, configure the kernel and build the initial state at STATE_A. */
export function loadConfig(x: FdraceExports, c: Compiled): number {
  if (c.bytes.length > CFG_BYTES) throw new Error(`configuration block of ${c.bytes.length} bytes (the kernel has ${CFG_BYTES})`);
  mem(x).set(c.bytes, CFG_ADDR);
  if (x.kConfigure() < 0) throw new Error('the kernel rejected the configuration (kConfigure < 0)');
  const size = x.kStateSize();
  if (size > STATE_MAX) throw new Error(`state of ${size} bytes does not fit a ${STATE_MAX}-byte scratch state`);
  const rc = x.kBuildInitial(STATE_A);
  if (rc !== 0) throw new Error(`kBuildInitial failed (${rc})`);
  return size;
}

/** Every invariant violated in the state at addr, in words ("" if none). */
export function violations(x: FdraceExports, c: Compiled, addr: number): string {
  const m = x.kCheckMask(addr) >>> 0;
  if (m === 0) return '';
  const out: string[] = [];
  for (let v = 0; v < 32; v++) {
    if ((m & (1 << v)) === 0) continue;
    const obj = x.kViolObjOf(v);
    const name = Viol[v] ?? `viol ${v}`;
    const about = ['UafFile', 'RefUnderflow', 'RefMismatch', 'CloseZeroCount', 'DanglingFile', 'RefLeak', 'PollDeadFile'].includes(name)
      ? `file ${c.ix.fileNames[obj] ?? obj}`
      : ['LockHeldAtReturn', 'SleepInAtomic'].includes(name)
        ? `thread ${c.ix.threadNames[obj] ?? obj}`
        : ['UafEp', 'EpRefcount', 'EpollCycle', 'OrphanInsert'].includes(name)
          ? `epoll ${c.ix.epollNames[obj] ?? obj}`
          : `#${obj}`;
    out.push(`${name} (${about})`);
  }
  return out.join(', ');
}

function readRing(x: FdraceExports, c: Compiled, addr: number): (SpecRingSlot | null)[] | null {
  if (c.bytes[14] === 0) return null; // C_URING: no ring in this scenario's states
  const m = mem(x);
  const base = addr + x.kLayout(9);
  const out: (SpecRingSlot | null)[] = [];
  for (let k = 0; k < F.U_SLOTS; k++) {
    const v = m[base + k * F.U_SIZE]!;
    out.push(v === 0 ? null : { file: c.ix.fileNames[v - 1] ?? '?', fd: m[base + k * F.U_SIZE + 1]!, table: c.ix.tableNames[m[base + k * F.U_SIZE + 2]!] ?? '?' });
  }
  return out;
}

export function decodeAt(x: FdraceExports, c: Compiled, addr: number): KernelState {
  return { ...decodeState(x, c, addr, false), ring: readRing(x, c, addr) };
}

/** Thread 0 is in user space with no deferred __fput queued (read from the state, no decoding). */
function atRest(x: FdraceExports, addr: number): boolean {
  const t = addr + x.kLayout(5);
  const m = mem(x);
  return m[t + F.T_DEPTH] === 0 && m[t + F.T_PENDING] === 0 && m[t + F.T_PENDING + 1] === 0;
}

/** Step thread 0 until it finishes, checking the invariants after every step (the one path of a one-thread
 *  scenario). */
export function runKernel(x: FdraceExports, c: Compiled): KernelRun {
  const size = loadConfig(x, c);
  const afterOp: KernelState[] = [];
  let problem: string | null = null;
  const v0 = violations(x, c, STATE_A);
  if (v0) problem = `invariant violated in the initial state: ${v0}`;
  let steps = 0;
  while (problem === null) {
    if (steps >= MAX_STEPS) {
      problem = `the thread did not finish within ${MAX_STEPS} steps`;
      break;
    }
    const st = x.kStep(STATE_A, STATE_B, 0, 0);
    if (st === StepStatus.Finished) break;
    if (st === StepStatus.Blocked) {
      problem = `the only thread is blocked after ${steps} steps (on lock id ${x.kBlockedOn()})`;
      break;
    }
    mem(x).copyWithin(STATE_A, STATE_B, STATE_B + size);
    steps++;
    const v = violations(x, c, STATE_A);
    if (v) {
      problem = `invariant violated at step ${steps}: ${v}`;
      break;
    }
    if (atRest(x, STATE_A)) afterOp.push(decodeAt(x, c, STATE_A));
  }
  return { afterOp, final: decodeAt(x, c, STATE_A), steps, problem };
}

/** The kernel's one path, step by step: the step that ran and what it changed (for failure reports). */
export function kernelTrace(x: FdraceExports, c: Compiled, maxSteps: number): string[] {
  const size = loadConfig(x, c);
  const out: string[] = [];
  let prev = decodeAt(x, c, STATE_A);
  for (let i = 1; i <= maxSteps; i++) {
    const th = prev.threads[0]!;
    const what = th.status === 'user' && th.pendingFput.length > 0 ? `__fput(${th.pendingFput[0]}) (task_work)` : (th.op ?? '(finished)');
    const st = x.kStep(STATE_A, STATE_B, 0, 0);
    if (st !== StepStatus.Ok) {
      out.push(`${String(i).padStart(3)}  ${st === StepStatus.Finished ? 'finished' : `blocked on lock id ${x.kBlockedOn()}`}`);
      break;
    }
    mem(x).copyWithin(STATE_A, STATE_B, STATE_B + size);
    const l = stepLabel(x.kLastLabel());
    const next = decodeAt(x, c, STATE_A);
    const changes = diffStates(prev, next);
    const v = violations(x, c, STATE_A);
    out.push(`${String(i).padStart(3)}  ${what}: ${l.fn}: ${l.text}${changes.length ? `  [${changes.join('; ')}]` : ''}${v ? `  !! ${v}` : ''}`);
    prev = next;
  }
  return out;
}

// ---- comparison --------------------------------------------------------------------------------------------

const fmtItem = (it: SpecItem) => `(${it.file}, ${it.fd}) ${it.events.join('|')} data=${it.data}`;
const fmtRet = (v: number | null | undefined) => (v === null || v === undefined ? 'not returned' : String(v));
const fmtSlot = (s: SpecRingSlot | null) => (s ? `${s.file} (fd ${s.fd} of ${s.table})` : 'empty');

/** Every difference between a kernel state and the specification's, as readable lines. `specRets` are the
 *  return values the thread's ops must show at that point (null: not returned, or skipped). */
export function compare(k: KernelState, spec: SpecSnapshot, specRets: (number | null)[], threadName: string, toggles: number): string[] {
  const diffs: string[] = [];
  const th = k.threads.find((t) => t.name === threadName);
  if (!th) return [`kernel has no thread ${threadName}`];
  th.returns.forEach((got, i) => {
    const want = specRets[i] ?? null;
    if (got !== want) diffs.push(`op ${i + 1} returned: kernel ${fmtRet(got)}, spec ${fmtRet(want)}`);
  });

  for (const t of spec.tables) {
    const kp = k.processes.find((p) => p.name === t.name);
    const want = t.fds.map((d) => `${d.fd}=${d.file}`).join(' ');
    const got = kp ? kp.fds.map((d) => `${d.fd}=${d.file}`).join(' ') : '(no such table)';
    if (got !== want) diffs.push(`table ${t.name}: kernel {${got}}, spec {${want}}`);
  }

  for (const f of spec.files) {
    const kf = k.files.find((x) => x.name === f.name);
    if (!kf) {
      diffs.push(`kernel has no file ${f.name}`);
      continue;
    }
    if (kf.ref !== f.ref) diffs.push(`${f.name}.ref: kernel ${kf.ref}, spec ${f.ref}`);
    if (kf.life !== f.life) diffs.push(`${f.name}.state: kernel ${kf.life}, spec ${f.life}`);
  }

  for (const e of spec.epolls) {
    const ke = k.epolls.find((x) => x.name === e.name);
    if (!ke) {
      diffs.push(`kernel has no epoll ${e.name}`);
      continue;
    }
    if (ke.life !== e.life) diffs.push(`eventpoll ${e.name}: kernel ${ke.life}, spec ${e.life}`);
    // ep->refcount (current generations): the epoll file's reference while it lives, plus one per epitem.
    if (toggles & Toggle.EpRefcount) {
      const want = e.life === 'live' ? 1 + e.items.length : 0;
      if (ke.refcount !== want) diffs.push(`${e.name} ep->refcount: kernel ${ke.refcount}, spec ${want} (1 + ${e.items.length} items)`);
    }
    for (const it of ke.items) {
      if (!it.inRbr || !it.onFep || it.dying) {
        diffs.push(`${e.name} item (${it.file}, ${it.fd}) half-linked: inRbr=${it.inRbr} onFep=${it.onFep} dying=${it.dying}`);
      }
    }
    const kItems = sortItems(ke.items.map((it) => ({ file: it.file, fd: it.fd, events: it.events as SpecEvent[], data: it.data })));
    const got = kItems.map(fmtItem).join('; ');
    const want = e.items.map(fmtItem).join('; ');
    if (got !== want) diffs.push(`${e.name} interest list: kernel {${got}}, spec {${want}}`);
  }

  const kRing = k.ring ?? Array.from({ length: RING_SLOTS }, () => null);
  spec.ring.forEach((s, i) => {
    const got = fmtSlot(kRing[i] ?? null);
    const want = fmtSlot(s);
    if (got !== want) diffs.push(`io_uring slot ${i}: kernel ${got}, spec ${want}`);
  });

  const held = spec.held.find((h) => h.thread === threadName)?.files ?? [];
  const kHeld = [...th.held].sort().join(', ');
  const sHeld = [...held].sort().join(', ');
  if (kHeld !== sHeld) diffs.push(`references held by ${threadName}: kernel [${kHeld}], spec [${sHeld}]`);
  if (th.pendingFput.length > 0) diffs.push(`${threadName} still has __fput queued for ${th.pendingFput.join(', ')}`);
  if (th.frames.length > 0) diffs.push(`${threadName} is still in the kernel (${th.frames.map((f) => f.routine).join(' > ')})`);

  if (k.global.watches !== spec.watches) diffs.push(`epoll_watches: kernel ${k.global.watches}, spec ${spec.watches}`);
  for (const l of k.locks) if (l.owner !== null) diffs.push(`${l.name} still held by ${l.owner}`);
  return diffs;
}

export interface Outcome {
  text: string;
  variant: string;
  /** Empty when kernel and specification agree. */
  diffs: string[];
  spec: SpecRun;
  kernel: KernelRun;
  compiled: Compiled;
}

function toggles(variant: string): number {
  const v = variantByName(variant);
  if (!v) throw new Error(`no variant ${variant}`);
  return v.toggles;
}

/** Parse `text` (by default `g` rendered), compile it for `variant`, run it on the kernel and `g` on the
 *  specification, and compare them after every op that ran; the diffs describe the first op after which they
 *  differ. */
export function check(x: FdraceExports, g: GenScenario, variant = SEQUENTIAL_VARIANTS[0]!, text = renderScenario(g)): Outcome {
  const s = parseScenario(text, 'generated.fdr');
  const compiled = compileScenario(s, variant, toggles(variant));
  const diffs: string[] = [];
  const maxFds = documentedMaxFds(g);
  if (compiled.nSlots !== maxFds) diffs.push(`max_fds: compiled ${compiled.nSlots}, documented rule ${maxFds}`);
  const spec = new SequentialSpec(specInit(g, compiled.nSlots)).run(g.thread.name, g.ops.map(stripOp));
  const kernel = runKernel(x, compiled);
  if (kernel.problem) {
    const at = kernel.afterOp.length < spec.ran.length ? spec.ran[kernel.afterOp.length]! : -1;
    diffs.push(at >= 0 ? `during op ${at + 1}, ${renderOp(g.ops[at]!)}: ${kernel.problem}` : kernel.problem);
  }
  const retsUpTo = (k: number) => spec.rets.map((v, i) => (i <= k ? v : null));
  for (let j = 0; j < spec.ran.length; j++) {
    const k = spec.ran[j]!;
    const state = kernel.afterOp[j];
    const where = `after op ${k + 1}, ${renderOp(g.ops[k]!)}`;
    if (!state) {
      diffs.push(`${where}: the kernel never got there; its last state:`);
      diffs.push(...compare(kernel.final, spec.snaps[j]!, retsUpTo(k), g.thread.name, compiled.toggles).map((d) => `  ${d}`));
      break;
    }
    const d = compare(state, spec.snaps[j]!, retsUpTo(k), g.thread.name, compiled.toggles);
    if (d.length > 0) {
      diffs.push(`${where}:`, ...d.map((line) => `  ${line}`));
      break;
    }
  }
  if (diffs.length === 0) {
    if (kernel.afterOp.length !== spec.ran.length) {
      diffs.push(`the kernel came back to user space ${kernel.afterOp.length} times for ${spec.ran.length} ops run (of ${g.ops.length})`);
    }
    if (kernel.final.threads[0]?.status !== 'done') diffs.push(`the thread is ${kernel.final.threads[0]?.status} at the end, not done`);
  }
  return { text, variant, diffs, spec, kernel, compiled };
}

/** check() on every variant in `variants`; the outcomes that disagree (empty: all agree). */
export function checkAll(x: FdraceExports, g: GenScenario, variants: readonly string[] = SEQUENTIAL_VARIANTS): Outcome[] {
  const text = renderScenario(g, 'spec-random', variants);
  return variants.map((v) => check(x, g, v, text)).filter((o) => o.diffs.length > 0);
}

/** The failure report: the scenario, what differs, the spec's return values and the kernel's trace. */
export function report(x: FdraceExports, o: Outcome): string {
  let trace: string[];
  try {
    trace = kernelTrace(x, o.compiled, Math.min(o.kernel.steps + 1, 400));
  } catch (e) {
    trace = [`(no trace: ${(e as Error).message})`];
  }
  return [
    `kernel (${o.variant}) and sequential spec disagree`,
    '--- scenario ---',
    o.text.trimEnd(),
    '--- differences ---',
    ...o.diffs.map((d) => `  ${d}`),
    `--- spec return values: ${o.spec.rets.map((v) => (v === null ? 'skipped' : String(v))).join(', ')}`,
    `--- kernel trace (${o.variant}) ---`,
    ...trace,
  ].join('\n');
}

// ---- the generator -----------------------------------------------------------------------------------------

/** How an fd argument is chosen: an fd the table holds at that point of the run (the generator runs the
 *  specification as it goes), a small number (often unused), or a number likely outside the table. */
export type FdChoice = { used: number } | { small: number } | { far: number };
const fdChoice: fc.Arbitrary<FdChoice> = fc.oneof(
  { weight: 6, arbitrary: fc.nat(31).map((used) => ({ used })) },
  { weight: 3, arbitrary: fc.nat(11).map((small) => ({ small })) },
  { weight: 1, arbitrary: fc.integer({ min: 9, max: 80 }).map((far) => ({ far })) },
);
const eventsArb: fc.Arbitrary<SpecEvent[]> = fc.oneof(
  { weight: 2, arbitrary: fc.constant<SpecEvent[]>(['IN']) },
  { weight: 3, arbitrary: fc.subarray([...EVENT_ORDER], { minLength: 1 }) },
);
const dataArb = fc.oneof({ weight: 1, arbitrary: fc.constant(-1) }, { weight: 2, arbitrary: fc.nat(255) }); // -1: the fd
const epfdArb = fc.oneof({ weight: 4, arbitrary: fc.nat(7).map((epoll) => ({ epoll })) }, { weight: 1, arbitrary: fdChoice });
/** A fixed slot: a small one, any one, or (`busy`) one in use at that point of the run. */
type SlotChoice = number | { busy: number };
const slotArb: fc.Arbitrary<SlotChoice> = fc.oneof(
  { weight: 2, arbitrary: fc.nat(1) },
  { weight: 1, arbitrary: fc.nat(RING_SLOTS - 1) },
  { weight: 4, arbitrary: fc.nat(3).map((busy) => ({ busy })) },
);

type RawOp = { skip: boolean } & (
  | { kind: 'close' | 'dup' | 'fget'; fd: FdChoice }
  | { kind: 'dup2'; oldfd: FdChoice; newfd: FdChoice }
  | { kind: 'replace'; fd: FdChoice; file: number }
  | {
      kind: 'epoll_ctl';
      epfd: FdChoice | { epoll: number };
      op: 'ADD' | 'DEL' | 'MOD';
      /** `watched`: the fd of an item some epoll has now (so that DEL / MOD / EEXIST find something). */
      fd: FdChoice | { watched: number };
      events: SpecEvent[];
      data: number;
      terse: boolean;
    }
  | { kind: 'fput' | 'expand_fdtable' }
  | { kind: 'epoll_wait'; epfd: FdChoice | { epoll: number } }
  | { kind: 'epoll_create'; pick: number }
  | { kind: 'fork' }
  /** proc: index into the processes other than the thread's own first, the thread's own last. */
  | { kind: 'pidfd_getfd'; proc: number; fd: FdChoice }
  /** own `same`: an fd of ours on the file at the other process's fd, if there is one. */
  | { kind: 'kcmp'; proc: number; fd: FdChoice; own: FdChoice | { same: number } }
  | { kind: 'io_uring_register'; slot: SlotChoice; fd: FdChoice }
  | { kind: 'io_uring_unregister' | 'io_uring_io'; slot: SlotChoice }
);

/** `else skip` on about one op in ten; on kcmp (the guard it is meant for) one in three. */
const skipArb = (oneIn: number) => fc.nat(oneIn - 1).map((v) => v === oneIn - 1);
const op = <T extends object>(weight: number, rec: fc.Arbitrary<T>, skipOneIn = 10) => ({
  weight,
  arbitrary: fc.tuple(rec, skipArb(skipOneIn)).map(([r, skip]) => ({ ...r, skip })),
});
const k = <K extends string>(kind: K) => fc.constant(kind);

const rawOp: fc.Arbitrary<RawOp> = fc.oneof(
  op(2, fc.record({ kind: k('close'), fd: fdChoice })),
  op(2, fc.record({ kind: k('dup'), fd: fdChoice })),
  op(3, fc.record({ kind: k('dup2'), oldfd: fdChoice, newfd: fdChoice })),
  op(2, fc.record({ kind: k('replace'), fd: fdChoice, file: fc.nat(15) })),
  op(
    6,
    fc.record({
      kind: k('epoll_ctl'),
      epfd: epfdArb,
      op: fc.constantFrom('ADD' as const, 'ADD' as const, 'DEL' as const, 'MOD' as const),
      fd: fc.oneof(
        { weight: 4, arbitrary: fc.nat(31).map((used) => ({ used })) },
        { weight: 2, arbitrary: fc.nat(7).map((watched) => ({ watched })) },
        { weight: 1, arbitrary: fdChoice },
      ),
      events: eventsArb,
      data: dataArb,
      terse: fc.boolean(),
    }),
  ),
  op(1, fc.record({ kind: k('fget'), fd: fdChoice })),
  op(3, fc.record({ kind: k('fput') })),
  op(2, fc.record({ kind: k('epoll_wait'), epfd: epfdArb })),
  op(2, fc.record({ kind: k('epoll_create'), pick: fc.nat(1) })),
  op(1, fc.record({ kind: k('fork') })),
  op(2, fc.record({ kind: k('pidfd_getfd'), proc: fc.nat(3), fd: fdChoice })),
  op(
    2,
    fc.record({
      kind: k('kcmp'),
      proc: fc.nat(3),
      fd: fdChoice,
      own: fc.oneof({ weight: 1, arbitrary: fc.nat(7).map((same) => ({ same })) }, { weight: 1, arbitrary: fdChoice }),
    }),
    3,
  ),
  op(2, fc.record({ kind: k('io_uring_register'), slot: slotArb, fd: fdChoice })),
  op(1, fc.record({ kind: k('io_uring_unregister'), slot: slotArb })),
  op(1, fc.record({ kind: k('io_uring_io'), slot: slotArb })),
  op(1, fc.record({ kind: k('expand_fdtable') })),
);

const rawScenario = fc.record({
  nProc: fc.integer({ min: 1, max: 2 }),
  shares: fc.boolean(),
  threadProc: fc.nat(1),
  nSock: fc.integer({ min: 1, max: 4 }),
  regular: fc.boolean(),
  // Skewed choices are written as maps of fc.nat so that shrinking still heads for the plain case (0).
  nEp: fc.nat(5).map((v) => (v === 0 ? 0 : v <= 3 ? 1 : 2)),
  slots: fc.array(fc.record({ table: fc.nat(1), fd: fc.nat(9), file: fc.nat(15) }), { maxLength: 14 }),
  watches: fc.array(
    fc.record({
      ep: fc.nat(1),
      /** 'at': watch the file the thread's table has at fd (a registration made through this table). */
      file: fc.oneof({ weight: 2, arbitrary: fc.constant('at' as const) }, { weight: 1, arbitrary: fc.nat(15) }),
      fd: fdChoice,
      events: eventsArb,
      data: dataArb,
      terse: fc.boolean(),
    }),
    { maxLength: 5 },
  ),
  ops: fc.array(rawOp, { minLength: 1, maxLength: 14 }),
  /** `option max_fds` in a third of the scenarios: the largest initial fd + 1 + (0..3). */
  maxFdsExtra: fc.nat(11).map((v) => (v < 8 ? null : v - 8)),
  /** `option max_user_watches 0..7` in one scenario of seven. */
  maxUserWatches: fc.nat(55).map((v) => (v < 48 ? null : v - 48)),
});

type Raw = typeof rawScenario extends fc.Arbitrary<infer T> ? T : never;

/** Classes of scenario the generator may leave out (all in by default, except where noted). */
export interface GenOptions {
  /** fd arguments at or above max_fds (EBADF in the kernel). Off: such fds are folded into the table. */
  outOfTable?: boolean;
  /** epoll_ctl ADD/MOD/DEL whose target is an epoll file. Off: such targets are replaced by fd 0. */
  epollTargets?: boolean;
  /** `option max_user_watches K` (ENOSPC). */
  userWatchLimit?: boolean;
  /** `else skip` on ops. */
  elseSkip?: boolean;
  /** An `else skip` that can jump from between an fget() and its fput() to a last op that is fget(), so that
   *  the thread runs a second fget() while the first reference is still held (the parser's static rule does
   *  not see the jump). Off by default: see the pinned example in test/kernel-vs-spec.test.ts. */
  skipIntoHeldFget?: boolean;
}

const NEW_EPOLLS = ['NE1', 'NE2'];

export function build(r: Raw, opt: GenOptions = {}): GenScenario {
  const { outOfTable = true, epollTargets = true, userWatchLimit = true, elseSkip = true, skipIntoHeldFget = false } = opt;
  const files: GenScenario['files'] = [];
  for (let i = 1; i <= r.nSock; i++) files.push({ name: `S${i}`, kind: 'socket' });
  if (r.regular) files.push({ name: 'R', kind: 'regular' });
  for (let i = 1; i <= r.nEp; i++) files.push({ name: `E${i}`, kind: 'epoll' });
  const initialFiles = [...files];
  const initialEpolls = files.filter((f) => f.kind === 'epoll').map((f) => f.name);
  // Epolls made by epoll_create (each at most once) and the fork child exist only if an op needs them.
  const created = [...new Set(r.ops.flatMap((o) => (o.kind === 'epoll_create' ? [NEW_EPOLLS[o.pick % NEW_EPOLLS.length]!] : [])))].sort();
  for (const e of created) files.push({ name: e, kind: 'epoll' });
  const hasFork = r.ops.some((o) => o.kind === 'fork');

  const shared = r.nProc === 2 && r.shares;
  const nTables = r.nProc === 2 && !shared ? 2 : 1;
  const tables: Map<number, string>[] = Array.from({ length: nTables }, () => new Map());
  for (const s of r.slots) {
    const t = tables[s.table % nTables]!;
    if (!t.has(s.fd)) t.set(s.fd, initialFiles[s.file % initialFiles.length]!.name);
  }
  const threadTable = shared ? 0 : r.threadProc % r.nProc;
  initialFiles.forEach((f, i) => {
    if (tables.some((t) => [...t.values()].includes(f.name))) return;
    const t = tables[i % 3 === 2 ? (threadTable + 1) % nTables : threadTable]!;
    let fd = 0;
    while (t.has(fd)) fd++;
    t.set(fd, f.name);
  });
  const processes: GenScenario['processes'] = [{ name: 'P1', fds: [...tables[0]!] }];
  if (r.nProc === 2) processes.push(shared ? { name: 'P2', shares: 'P1', fds: [] } : { name: 'P2', fds: [...tables[1]!] });
  if (hasFork) processes.push({ name: 'C', fds: [] });
  const threadProcess = processes[r.threadProc % r.nProc]!.name;
  const myTableName = shared ? 'P1' : threadProcess;
  // Other processes first (the interesting targets of pidfd_getfd and kcmp), the thread's own last.
  const targets = [...processes.filter((p) => (p.shares ?? p.name) !== myTableName), ...processes.filter((p) => (p.shares ?? p.name) === myTableName)].map((p) => p.name);
  const myTable = tables[threadTable]!;
  const maxInit = Math.max(0, ...tables.flatMap((t) => [...t.keys()]));
  const maxFds = r.maxFdsExtra === null ? undefined : Math.min(64, maxInit + 1 + r.maxFdsExtra);

  // Without the option the table has at least 8 slots and grows to cover every fd the scenario names (at most 64).
  const limit = maxFds ?? 64;
  const fold = (n: number): number => (outOfTable || n < limit ? n : n % limit);
  const pickFd = (c: FdChoice, fds: number[]): number =>
    fold('used' in c ? (fds.length > 0 ? fds[c.used % fds.length]! : c.used % 10) : 'small' in c ? c.small : c.far);

  // Initial watches: unique keys, pollable targets, no epoll watching itself, no epoll loop.
  const myInitFds = [...myTable.keys()].sort((a, b) => a - b);
  const watches: GenScenario['watches'] = [];
  if (initialEpolls.length > 0) {
    for (const w of r.watches) {
      const epoll = initialEpolls[w.ep % initialEpolls.length]!;
      const n = pickFd(w.fd, myInitFds);
      const file = w.file === 'at' ? initialFiles.find((f) => f.name === myTable.get(n)) : initialFiles[w.file % initialFiles.length]!;
      if (!file || file.kind === 'regular' || file.name === epoll) continue;
      if (file.kind === 'epoll' && watches.some((x) => x.epoll === file.name && x.file === epoll)) continue;
      if (watches.some((x) => x.epoll === epoll && x.file === file.name && x.fd === n)) continue;
      watches.push({ epoll, file: file.name, fd: n, events: w.events, data: w.data < 0 ? n : w.data, terse: w.terse });
    }
  }

  // Run the specification while generating, so that fd arguments can be the fds the tables hold at that
  // point (after dup, epoll_create, pidfd_getfd, ...). Only the choice of arguments depends on it; check()
  // runs the specification again from scratch with the table size the compiler settles on.
  const draft: GenScenario = { files, processes, watches, thread: { name: 'T', process: threadProcess }, ops: [] };
  const sim = new SequentialSpec({ ...specInit(draft, limit), unborn: created });
  const ops: GenOp[] = [];
  let held = 0; // fget()s not yet fput() in the text: the parser's static count
  let skipping = false; // an `else skip` fired: the ops from here to the last do not run (state frozen)
  let forked = false;
  const createdSoFar = new Set<string>();
  for (const o of r.ops) {
    const fds = sim.fdsOf(threadProcess).map(([n]) => n);
    const fd = (c: FdChoice) => pickFd(c, fds);
    const epfd = (c: FdChoice | { epoll: number }): number => {
      if (!('epoll' in c)) return fd(c);
      const eps = sim.fdsOf(threadProcess).filter(([, f]) => sim.kindOf(f) === 'epoll').map(([n]) => n);
      return eps.length > 0 ? eps[c.epoll % eps.length]! : fold(c.epoll);
    };
    const slot = (c: SlotChoice): number => {
      if (typeof c === 'number') return c;
      const busy = [...Array(RING_SLOTS).keys()].filter((n) => sim.ringSlot(n) !== null);
      return busy.length > 0 ? busy[c.busy % busy.length]! : c.busy;
    };
    let g: GenOp | undefined;
    switch (o.kind) {
      case 'close':
      case 'dup':
        g = { kind: o.kind, fd: fd(o.fd) };
        break;
      case 'fget':
        if (held === 0) g = { kind: 'fget', fd: fd(o.fd) };
        break;
      case 'fput':
        if (held > 0) g = { kind: 'fput' };
        break;
      case 'dup2':
        g = { kind: 'dup2', oldfd: fd(o.oldfd), newfd: fd(o.newfd) };
        break;
      case 'replace':
        g = { kind: 'replace', fd: fd(o.fd), file: files[o.file % files.length]!.name };
        break;
      case 'epoll_ctl': {
        const e = epfd(o.epfd);
        let target: number;
        if ('watched' in o.fd) {
          const items = files.filter((f) => f.kind === 'epoll').flatMap((f) => sim.itemsOf(f.name));
          target = items.length > 0 ? items[o.fd.watched % items.length]!.fd : fold(o.fd.watched);
        } else target = fd(o.fd);
        const tf = sim.fdsOf(threadProcess).find(([n]) => n === target)?.[1];
        if (!epollTargets && tf !== undefined && sim.kindOf(tf) === 'epoll') target = 0;
        g =
          o.op === 'DEL'
            ? { kind: 'epoll_ctl', epfd: e, op: 'DEL', fd: target, events: [], data: target }
            : { kind: 'epoll_ctl', epfd: e, op: o.op, fd: target, events: o.events, data: o.data < 0 ? target : o.data, terse: o.terse };
        break;
      }
      case 'epoll_wait':
        g = { kind: 'epoll_wait', epfd: epfd(o.epfd) };
        break;
      case 'epoll_create': {
        const e = NEW_EPOLLS[o.pick % NEW_EPOLLS.length]!;
        if (!createdSoFar.has(e)) {
          createdSoFar.add(e);
          g = { kind: 'epoll_create', epoll: e };
        }
        break;
      }
      case 'fork':
        if (!forked) {
          forked = true;
          g = { kind: 'fork', child: 'C' };
        }
        break;
      case 'pidfd_getfd': {
        const q = targets[o.proc % targets.length]!;
        g = { kind: 'pidfd_getfd', process: q, fd: pickFd(o.fd, sim.fdsOf(q).map(([n]) => n)) };
        break;
      }
      case 'kcmp': {
        const q = targets[o.proc % targets.length]!;
        const n = pickFd(o.fd, sim.fdsOf(q).map(([m]) => m));
        let own: number;
        if ('same' in o.own) {
          const f = sim.fdsOf(q).find(([m]) => m === n)?.[1];
          const same = sim.fdsOf(threadProcess).filter(([, x]) => x === f).map(([m]) => m);
          own = same.length > 0 ? same[o.own.same % same.length]! : fd({ used: o.own.same });
        } else own = fd(o.own);
        g = { kind: 'kcmp', process: q, fd: n, own };
        break;
      }
      case 'io_uring_register':
        g = { kind: 'io_uring_register', slot: slot(o.slot), fd: fd(o.fd) };
        break;
      case 'io_uring_unregister':
      case 'io_uring_io':
        g = { kind: o.kind, slot: slot(o.slot) };
        break;
      case 'expand_fdtable':
        g = { kind: 'expand_fdtable' };
        break;
    }
    if (!g) continue;
    if (g.kind === 'fget') held++;
    if (g.kind === 'fput') held--;
    // An `else skip` while a reference may still be held (the fput is further on) could jump to a last op
    // that is fget(): left out unless asked for.
    const heldAcross = held > 0 && g.kind !== 'fget';
    if (o.skip && elseSkip && (skipIntoHeldFget || !heldAcross)) g.elseSkip = true;
    ops.push(g);
    if (!skipping) {
      const v = sim.apply('T', stripOp(g));
      if (g.elseSkip && v !== 0) skipping = true;
    }
  }
  if (ops.length === 0) ops.push({ kind: 'close', fd: myInitFds[0] ?? 0 });

  return {
    files,
    processes,
    watches,
    thread: { name: 'T', process: threadProcess },
    ops,
    ...(maxFds !== undefined ? { maxFds } : {}),
    ...(r.maxUserWatches !== null && userWatchLimit ? { maxUserWatches: r.maxUserWatches } : {}),
  };
}

/** Random one-thread scenarios. fast-check prints a counterexample as the scenario text. */
export function scenarioArb(opt: GenOptions = {}): fc.Arbitrary<GenScenario> {
  return rawScenario.map((r) => {
    const g = build(r, opt);
    return Object.assign(g, { [fc.toStringMethod]: () => `\n${renderScenario(g)}` });
  });
}
