// Driving the kernel one step at a time for the kernel-vs-specification test: step thread 0 to the end, checking
// invariants after every step. It talks to the Wasm module through the kernel's own exports only (model/index.ts:
// kConfigure, kBuildInitial, kStep, kCheckMask, ...): the compiled configuration is written at the kernel's CFG
// address and the states live in the kernel's scratch region. Nothing here depends on the search engine.

import { Addr } from '../../model/abi.ts';
import { StepStatus, Viol } from '../../model/codes.ts';
import * as F from '../../model/fields.ts';
import type { Compiled } from '../../checker/compile/config.ts';
import type { FdraceExports } from '../../checker/kernel/exports.ts';
import { decodeState } from '../../checker/trace/decode.ts';
import { diffStates } from '../../checker/trace/diff.ts';
import { stepLabel } from '../../checker/trace/labels.ts';
import type { DecodedState } from '../../checker/trace/types.ts';
import type { SpecRingSlot } from './sequential.ts';

const MAX_STEPS = 5000;

// Fixed addresses of the kernel (model/abi.ts): the configuration block and two 4 KiB scratch states.
export const CFG_ADDR: number = Addr.Cfg;
const CFG_BYTES: number = Addr.CfgSize;
export const STATE_A: number = Addr.Scratch;
export const STATE_B: number = Addr.Scratch + Addr.ScratchState;
const STATE_MAX: number = Addr.ScratchState;

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
    out.push(
      v === 0 ? null : { file: c.ix.fileNames[v - 1] ?? '?', fd: m[base + k * F.U_SIZE + 1]!, table: c.ix.tableNames[m[base + k * F.U_SIZE + 2]!] ?? '?' },
    );
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
