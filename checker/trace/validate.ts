// Trace JSON comes from files, drops, URLs and `fdrace view`: anything. Before the viewer touches it, it is checked
// field by field against format 1 (checker/trace/types.ts) with every array and string bounded, and rebuilt from the
// known fields only, so the rest of the viewer can trust its types. Errors name the JSON path of the first problem.
// No DOM here: the CLI's `fdrace view` validates with the same code before serving a file.

import { validateMemoryReport } from './memory-validate.ts';
import type {
  DecodedEpoll,
  DecodedFd,
  DecodedFile,
  DecodedItem,
  DecodedLock,
  DecodedProcess,
  DecodedState,
  DecodedThread,
  Trace,
  TraceStep,
  TraceViolation,
  LockOrderScenario,
  ViolationSubject,
} from './types.ts';

export type { LockOrderScenario } from './types.ts';

export interface ViewViolation extends TraceViolation {
  scenario?: LockOrderScenario;
  /** lockdep's report for a lock-order inversion, as the checker's search results carry it. */
  splat?: string;
}

export interface ViewTrace extends Omit<Trace, 'violation'> {
  violation: ViewViolation | null;
}

export class TraceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TraceError';
  }
}

export const LIMITS = {
  bytes: 64 * 1024 * 1024,
  steps: 50_000,
  name: 200,
  text: 2_000,
  source: 1024 * 1024,
  path: 1_000_000,
  list: 1_024,
  changes: 512,
} as const;

type V<T> = (x: unknown, at: string) => T;

function fail(at: string, what: string): never {
  throw new TraceError(`${at || 'the trace'}: ${what}`);
}

function describe(x: unknown): string {
  if (x === null) return 'null';
  if (Array.isArray(x)) return `an array of ${x.length}`;
  if (typeof x === 'string') return `a string of ${x.length} characters`;
  return typeof x === 'object' ? 'an object' : `${typeof x}`;
}

const str =
  (max: number = LIMITS.name): V<string> =>
  (x, at) => {
    if (typeof x !== 'string') fail(at, `expected a string, got ${describe(x)}`);
    if (x.length > max) fail(at, `string longer than ${max} characters`);
    return x;
  };

const int =
  (min: number, max: number): V<number> =>
  (x, at) => {
    if (typeof x !== 'number' || !Number.isInteger(x)) fail(at, `expected a whole number, got ${describe(x)}`);
    if (x < min || x > max) fail(at, `${x} is outside ${min}..${max}`);
    return x;
  };

const bool: V<boolean> = (x, at) => (typeof x === 'boolean' ? x : fail(at, `expected true or false, got ${describe(x)}`));

const nullable =
  <T>(v: V<T>): V<T | null> =>
  (x, at) =>
    x === null ? null : v(x, at);

const oneOf =
  <T extends string>(...values: T[]): V<T> =>
  (x, at) => {
    if (typeof x === 'string' && (values as string[]).includes(x)) return x as T;
    return fail(at, `expected one of ${values.join(', ')}`);
  };

const arr =
  <T>(max: number, item: V<T>): V<T[]> =>
  (x, at) => {
    if (!Array.isArray(x)) fail(at, `expected an array, got ${describe(x)}`);
    if (x.length > max) fail(at, `${x.length} entries (at most ${max})`);
    return x.map((e, i) => item(e, `${at}[${i}]`));
  };

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** Only the declared keys are read (own properties only) and copied into a fresh object. */
const obj =
  <T>(shape: { [K in keyof T]-?: V<T[K]> }): V<T> =>
  (x, at) => {
    if (!isRecord(x)) fail(at, `expected an object, got ${describe(x)}`);
    const out: Partial<T> = {};
    for (const k of Object.keys(shape) as (keyof T & string)[]) {
      const v = Object.hasOwn(x, k) ? x[k] : undefined;
      if (v === undefined) fail(at ? `${at}.${k}` : k, 'missing');
      out[k] = shape[k](v, at ? `${at}.${k}` : k);
    }
    return out as T;
  };

const name = str();
const names = arr(LIMITS.list, name);

const fdV = obj<DecodedFd>({ fd: int(0, 1 << 20), file: name });
const processV = obj<DecodedProcess>({ name, processes: names, fds: arr(LIMITS.list, fdV), fileLock: nullable(name) });
const fileV = obj<DecodedFile>({
  name,
  kind: oneOf('socket', 'regular', 'epoll'),
  ref: int(-(1 << 30), 1 << 30),
  life: oneOf('live', 'dying', 'releasing', 'freed', 'unborn'),
  fLock: nullable(name),
  watchers: names,
});
const itemV = obj<DecodedItem>({
  file: name,
  fd: int(0, 1 << 20),
  events: names,
  data: int(-(2 ** 31), 2 ** 32),
  inRbr: bool,
  onFep: bool,
  dying: bool,
  id: int(0, 1 << 20),
});
const epollV = obj<DecodedEpoll>({
  name,
  mtx: nullable(name),
  refcount: int(-(1 << 30), 1 << 30),
  life: oneOf('live', 'orphan', 'freed', 'unborn'),
  items: arr(LIMITS.list, itemV),
});
const threadV = obj<DecodedThread>({
  name,
  process: name,
  status: oneOf('user', 'kernel', 'blocked', 'done'),
  op: nullable(str(LIMITS.text)),
  opIndex: int(0, 1 << 20),
  frames: arr(64, obj({ routine: name, pc: int(0, 1 << 20) })),
  held: names,
  pendingFput: names,
  returns: arr(LIMITS.list, nullable(int(-(2 ** 31), 2 ** 32))),
  waitingFor: nullable(name),
});
const lockV = obj<DecodedLock>({ name, kind: oneOf('spin', 'mutex'), owner: nullable(name), waiters: names });
const stateShapeV = obj<DecodedState>({
  processes: arr(LIMITS.list, processV),
  files: arr(LIMITS.list, fileV),
  epolls: arr(LIMITS.list, epollV),
  threads: arr(LIMITS.list, threadV),
  locks: arr(LIMITS.list, lockV),
  global: obj({ epmutex: nullable(name), watches: int(0, 1 << 30), faults: int(0, 1 << 20) }),
});
/** States shared by reference (a trace built in memory by a harness, not parsed from text) are checked once. */
const stateV: V<DecodedState> = (() => {
  const seen = new WeakMap<object, DecodedState>();
  return (x, at) => {
    if (isRecord(x)) {
      const hit = seen.get(x);
      if (hit) return hit;
      const v = stateShapeV(x, at);
      seen.set(x, v);
      return v;
    }
    return stateShapeV(x, at);
  };
})();
const stepCoreV = obj<Omit<TraceStep, 'label'>>({
  step: int(1, LIMITS.steps),
  thread: name,
  threadIndex: int(0, LIMITS.list),
  fault: bool,
  op: str(LIMITS.text),
  function: name,
  source: name,
  text: str(LIMITS.text),
  changes: arr(LIMITS.changes, str(LIMITS.text)),
  state: stateV,
});

/** A step's optional fields (format 1 readers before them ignore them; this reader checks them when present). */
const stepV: V<TraceStep> = (x, at) => {
  const s: TraceStep = stepCoreV(x, at);
  const raw = x as Record<string, unknown>;
  if (own(raw, 'label')) {
    const l = str(100)(raw.label, `${at}.label`);
    if (!/^[A-Za-z][A-Za-z0-9]*$/.test(l)) fail(`${at}.label`, 'a step label is an identifier');
    s.label = l;
  }
  return s;
};

const subjectV = obj<ViolationSubject>({ kind: oneOf('file', 'epitem', 'epoll', 'thread', 'fdtable', 'lock'), name });
const tasksV: V<[string, string]> = (x, at) => {
  const t = arr(2, name)(x, at);
  if (t.length !== 2) fail(at, 'expected the two tasks of the scenario');
  return [t[0]!, t[1]!];
};
const rowsV = arr(
  64,
  obj<LockOrderScenario['rows'][number]>({ cpu: (x, at) => (x === 0 || x === 1 ? x : fail(at, 'expected 0 or 1')), text: str(LIMITS.text) }),
);
const lockOrderV: V<LockOrderScenario> = (x, at) => {
  const sc: LockOrderScenario = { rows: obj<Pick<LockOrderScenario, 'rows'>>({ rows: rowsV })(x, at).rows };
  const raw = x as Record<string, unknown>;
  if (own(raw, 'tasks')) sc.tasks = tasksV(raw.tasks, `${at}.tasks`);
  return sc;
};

function own(x: Record<string, unknown>, k: string): boolean {
  return Object.hasOwn(x, k) && x[k] !== undefined;
}

const violationV: V<ViewViolation> = (x, at) => {
  const v: ViewViolation = obj<Omit<TraceViolation, 'subject' | 'scenario' | 'memory'>>({
    property: name,
    kind: name,
    message: str(LIMITS.text),
    step: int(0, LIMITS.steps),
  })(x, at);
  const raw = x as Record<string, unknown>;
  if (own(raw, 'scenario')) v.scenario = lockOrderV(raw.scenario, `${at}.scenario`);
  if (own(raw, 'splat')) v.splat = str(20_000)(raw.splat, `${at}.splat`);
  if (own(raw, 'subject')) v.subject = subjectV(raw.subject, `${at}.subject`);
  if (own(raw, 'memory')) v.memory = validateMemoryReport(raw.memory, `${at}.memory`, fail);
  return v;
};

/** Checks format first, so a wrong or future format gets that message rather than a missing-field one. */
export function validateTrace(x: unknown): ViewTrace {
  if (!isRecord(x)) fail('', `expected a JSON object (Trace JSON, format 1), got ${describe(x)}`);
  if (typeof x.format === 'string' && x.format.trim() === '1') {
    fail('format', `"format" must be the number 1, not the string "${x.format.slice(0, 20)}" (write "format": 1)`);
  }
  if (x.format !== 1) {
    const f = typeof x.format === 'number' || typeof x.format === 'string' ? String(x.format).slice(0, 20) : describe(x.format);
    fail('format', `unsupported trace format ${f} (this viewer reads format 1, written by fdrace check --trace-out)`);
  }
  if (x.tool !== 'fdrace') fail('tool', 'not an fdrace trace (expected "tool": "fdrace")');
  const t: ViewTrace = obj<Omit<ViewTrace, 'lasso'>>({
    format: () => 1 as const,
    tool: () => 'fdrace' as const,
    scenario: name,
    title: str(LIMITS.text),
    file: str(LIMITS.text),
    variant: name,
    path: (p, at) => {
      const s = str(LIMITS.path)(p, at);
      if (!/^[0-9.!*]*$/.test(s)) fail(at, 'a path is thread numbers separated by dots, with ! and *COUNT');
      return s;
    },
    threads: arr(LIMITS.list, obj({ name, process: name, ops: arr(LIMITS.list, str(LIMITS.text)) })),
    initial: stateV,
    steps: arr(LIMITS.steps, stepV),
    violation: nullable(violationV),
    source: str(LIMITS.source),
  })(x, '');
  // A livelock's lasso (optional): where the cycle starts and how long it is.
  if (own(x, 'lasso')) {
    t.lasso = obj<NonNullable<ViewTrace['lasso']>>({ prefixSteps: int(0, LIMITS.steps), cycleStart: int(0, LIMITS.steps), cycleSteps: int(1, LIMITS.steps) })(
      x.lasso,
      'lasso',
    );
  }
  t.steps.forEach((s, i) => {
    if (s.step !== i + 1) fail(`steps[${i}].step`, `expected step ${i + 1}, got ${s.step}`);
    if (s.threadIndex >= t.threads.length) fail(`steps[${i}].threadIndex`, `no thread ${s.threadIndex} (the trace has ${t.threads.length})`);
  });
  if (t.violation && t.violation.step > t.steps.length) {
    fail('violation.step', `step ${t.violation.step} is past the last step (${t.steps.length})`);
  }
  return t;
}

/** Parse and validate trace text; the size check comes before JSON.parse so a huge file is refused cheaply. */
export function parseTraceText(text: string): ViewTrace {
  if (text.length > LIMITS.bytes) throw new TraceError(`the text is ${text.length} characters; traces are limited to ${LIMITS.bytes}`);
  let x: unknown;
  // A UTF-8 byte order mark (written by some editors) is not part of the JSON text.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    x = JSON.parse(text);
  } catch (e) {
    throw new TraceError(`not JSON: ${(e as Error).message.slice(0, 160)}`);
  }
  return validateTrace(x);
}
