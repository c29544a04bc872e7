// Trace JSON, format 1: a counterexample replayed step by step, with the decoded kernel state after each step.
// Written by `fdrace check --trace-out` and `fdrace replay --json`, read by the text report, the web viewer and
// `fdrace view`. This schema is the format's one definition: its types (checker/trace/types.ts), its validation
// (checker/trace/validate.ts) and docs/trace.schema.json (`npm run schema`) all come from it.

import * as v from 'valibot';
import { arr, bool, expected, int, obj, oneOf, str } from './build.ts';
import { LIMITS } from './limits.ts';
import { MemoryReportSchema } from './memory.ts';
import { DecodedStateSchema, doc, name } from './state.ts';

export const TRACE_FORMAT = 1;

export const TraceStepSchema = doc(
  obj({
    step: doc(int(1, LIMITS.steps), '1-based step number: steps[i].step is i + 1.'),
    thread: name,
    threadIndex: doc(int(0, LIMITS.list), "Index of the thread in the scenario (the path's move number): below threads.length."),
    fault: doc(bool, "true when this step's allocation was made to fail (fault injection)."),
    op: doc(str(LIMITS.text), 'The syscall this step belongs to, as written in the scenario ("close(4)"), or "__fput(OLD)" for task_work.'),
    function: doc(name, 'Kernel function this step models.'),
    source: doc(name, 'Its source file.'),
    text: doc(str(LIMITS.text), 'What the step does.'),
    changes: doc(arr(LIMITS.changes, str(LIMITS.text)), 'Human-readable changes this step made ("P.fd[3]: OLD -> NEW").'),
    state: DecodedStateSchema,
    label: doc(
      v.optional(v.pipe(str(100), v.regex(/^[A-Za-z][A-Za-z0-9]*$/, 'a step label is an identifier'))),
      'The step\'s label id (e.g. "EpRemoveRbErase"): keys its source range. Optional: traces written before it existed link at function level.',
    ),
  }),
  'One atomic step of one thread, and the decoded state after it.',
);

export const ViolationSubjectSchema = doc(
  obj({ kind: oneOf('file', 'epitem', 'epoll', 'thread', 'fdtable', 'lock'), name }),
  'The object a kernel invariant names: a struct file, an epitem (by record index), an eventpoll, a task, an fd table or a lock.',
);

export const LockOrderScenarioSchema = doc(
  obj({
    tasks: v.optional(v.strictTuple([name, name], expected('the two tasks of the scenario'))),
    rows: arr(64, obj({ cpu: v.picklist([0, 1], 'expected 0 or 1'), text: str(LIMITS.text) })),
  }),
  'lockdep\'s "Possible unsafe locking scenario": in time order, which CPU takes which lock.',
);

export const TraceViolationSchema = doc(
  obj({
    property: name,
    kind: name,
    message: str(LIMITS.text),
    step: doc(int(0, LIMITS.steps), 'Step at which it shows (the last step of the path); 0 = the initial state. At most steps.length.'),
    subject: doc(v.optional(ViolationSubjectSchema), 'The object the invariant names (kernel invariants only).'),
    scenario: doc(v.optional(LockOrderScenarioSchema), "For a deadlock of two tasks on two locks: lockdep's CPU0/CPU1 rows, read off the path."),
    splat: doc(v.optional(str(20_000)), "lockdep's report for a lock-order inversion, as the checker's search results carry it."),
    memory: doc(v.optional(MemoryReportSchema), 'For no-uaf and free-while-locked: the KASAN / lockdep report.'),
  }),
  'The property that failed, and at which step.',
);

const formatMessage = (iss: v.BaseIssue<unknown>): string => {
  const f = iss.input;
  if (typeof f === 'string' && f.trim() === '1') return `"format" must be the number 1, not the string "${f.slice(0, 20)}" (write "format": 1)`;
  const shown = typeof f === 'number' || typeof f === 'string' ? String(f).slice(0, 20) : f === null ? 'null' : typeof f;
  return `unsupported trace format ${shown} (this viewer reads format 1, written by fdrace check --trace-out)`;
};

const TraceShape = obj(
  {
    // format and tool first: a wrong or future format gets that message rather than a missing-field one.
    format: v.literal(TRACE_FORMAT, formatMessage),
    tool: v.literal('fdrace', 'not an fdrace trace (expected "tool": "fdrace")'),
    scenario: name,
    title: str(LIMITS.text),
    file: doc(str(LIMITS.text), 'The scenario file the trace was checked from.'),
    variant: name,
    path: doc(
      v.pipe(str(LIMITS.path), v.regex(/^[0-9.!*]*$/, 'a path is thread numbers separated by dots, with ! and *COUNT')),
      'The replay path: thread numbers separated by dots, ! where an allocation is made to fail, *N for a run.',
    ),
    threads: arr(LIMITS.list, obj({ name, process: name, ops: arr(LIMITS.list, str(LIMITS.text)) })),
    initial: DecodedStateSchema,
    steps: arr(LIMITS.steps, TraceStepSchema),
    violation: doc(v.nullable(TraceViolationSchema), 'Which property failed at which step (null: none).'),
    source: doc(str(LIMITS.source), 'The scenario source, so the viewer can re-derive the trace by replay.'),
    lasso: doc(
      v.optional(obj({ prefixSteps: int(0, LIMITS.steps), cycleStart: int(0, LIMITS.steps), cycleSteps: int(1, LIMITS.steps) })),
      "A livelock's lasso: the first prefixSteps steps lead to the cycle; steps cycleStart+1 .. cycleStart + cycleSteps return to the state after step cycleStart and repeat forever.",
    ),
  },
  'a JSON object (Trace JSON, format 1)',
  (iss) => (iss.expected === '"format"' ? 'missing (this viewer reads Trace JSON format 1, written by fdrace check --trace-out)' : 'missing'),
);

type TraceOut = v.InferOutput<typeof TraceShape>;

const at = (input: unknown[], key: number): v.ArrayPathItem => ({ type: 'array', origin: 'value', input, key, value: input[key] });
const field = (input: Record<string, unknown>, key: string): v.ObjectPathItem => ({ type: 'object', origin: 'value', input, key, value: input[key] });

/** What JSON Schema cannot say: steps are numbered 1, 2, 3..., each names a thread the trace has, and the violation
 *  shows at a step the trace has. */
const consistent = v.rawCheck<TraceOut>(({ dataset, addIssue }) => {
  if (!dataset.typed) return;
  const t = dataset.value;
  for (const [i, s] of t.steps.entries()) {
    if (s.step !== i + 1) {
      addIssue({ message: `expected step ${i + 1}, got ${s.step}`, path: [field(t, 'steps'), at(t.steps, i), field(s, 'step')] });
      return;
    }
    if (s.threadIndex >= t.threads.length) {
      addIssue({
        message: `no thread ${s.threadIndex} (the trace has ${t.threads.length})`,
        path: [field(t, 'steps'), at(t.steps, i), field(s, 'threadIndex')],
      });
      return;
    }
  }
  if (t.violation && t.violation.step > t.steps.length) {
    addIssue({ message: `step ${t.violation.step} is past the last step (${t.steps.length})`, path: [field(t, 'violation'), field(t.violation, 'step')] });
  }
});

export const TraceSchema = v.pipe(TraceShape, consistent, v.title('fdrace Trace JSON, format 1'));
