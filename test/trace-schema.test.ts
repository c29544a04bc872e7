// The trace schema (checker/trace/schema/): the committed docs/trace.schema.json is what the schema generates; a
// standard JSON Schema validator (ajv, draft 2020-12) and fdrace's own validator agree on every trace but the few
// rules JSON Schema cannot say; refusals name the JSON path and the line:column of the offending value exactly.
import { readFileSync } from 'node:fs';
import { Ajv2020 } from 'ajv/dist/2020.js';
import fc from 'fast-check';
import { findNodeAtLocation, parseTree } from 'jsonc-parser';
import { beforeAll, describe, expect, it } from 'vitest';
import { locateValue } from '../checker/trace/json-position.ts';
import type { Trace } from '../checker/trace/types.ts';
import { TraceError, parseTraceText, validateTrace } from '../checker/trace/validate.ts';
import { SCHEMA_FILE, traceJsonSchema } from '../scripts/trace-schema.ts';
import { trace } from './util/run.ts';

const H = readFileSync(new URL('../scenarios/history/ep-remove-uaf-a6dc643c6931.fdr', import.meta.url), 'utf8');

/** The messages of the rules JSON Schema cannot express (the schema's raw_check). */
const CROSS_FIELD = [
  /^steps\[\d+\]\.step: expected step \d+, got \d+$/,
  /^steps\[\d+\]\.threadIndex: no thread \d+ \(the trace has \d+\)$/,
  /^violation\.step: step \d+ is past the last step \(\d+\)$/,
];

function tinyState() {
  return {
    processes: [{ name: 'P', processes: ['P'], fds: [{ fd: 3, file: 'A' }], fileLock: null }],
    files: [{ name: 'A', kind: 'socket', ref: 1, life: 'live', fLock: null, watchers: [] }],
    epolls: [],
    threads: [{ name: 'T1', process: 'P', status: 'user', op: 'close(3)', opIndex: 0, frames: [], held: [], pendingFput: [], returns: [], waitingFor: null }],
    locks: [],
    global: { epmutex: null, watches: 0, faults: 0 },
  };
}

/** A one-step trace written by hand, so the positions in the expected messages do not move with the model. */
function tiny(): Record<string, unknown> & { steps: Record<string, unknown>[]; initial: ReturnType<typeof tinyState> } {
  return {
    format: 1,
    tool: 'fdrace',
    scenario: 's',
    title: 't',
    file: 's.fdr',
    variant: 'current',
    path: '0',
    threads: [{ name: 'T1', process: 'P', ops: ['close(3)'] }],
    initial: tinyState(),
    steps: [
      {
        step: 1,
        thread: 'T1',
        threadIndex: 0,
        fault: false,
        op: 'close(3)',
        function: 'close_fd',
        source: 'fs/file.c',
        text: 'x',
        changes: [],
        state: tinyState(),
      },
    ],
    violation: null,
    source: 'scenario s',
  };
}

function refusal(text: string): string {
  try {
    parseTraceText(text);
  } catch (e) {
    if (e instanceof TraceError) return e.located('t.json');
    throw e;
  }
  return 'accepted';
}

const pretty = (x: unknown): string => JSON.stringify(x, null, 1);

describe('docs/trace.schema.json', () => {
  it('is what `npm run schema` generates from the schema (run it and commit the file when this fails)', () => {
    expect(readFileSync(SCHEMA_FILE, 'utf8')).toBe(traceJsonSchema());
  });
});

describe('refusals: JSON path, line:column and what was expected', () => {
  it('each field problem, at the offending value', () => {
    const cases: [string, (t: ReturnType<typeof tiny>) => unknown, string][] = [
      [
        'a future format',
        (t) => ({ ...t, format: 2 }),
        't.json:2:12: format: unsupported trace format 2 (this viewer reads format 1, written by fdrace check --trace-out)',
      ],
      ['format as a string', (t) => ({ ...t, format: '1' }), 't.json:2:12: format: "format" must be the number 1, not the string "1" (write "format": 1)'],
      ['no format', () => ({ tool: 'fdrace' }), 't.json:1:1: format: missing (this viewer reads Trace JSON format 1, written by fdrace check --trace-out)'],
      ['another tool', (t) => ({ ...t, tool: 'spin' }), 't.json:3:10: tool: not an fdrace trace (expected "tool": "fdrace")'],
      ['an array', () => [1, 2, 3], 't.json:1:1: the trace: expected a JSON object (Trace JSON, format 1), got an array of 3'],
      ['a long name', (t) => ({ ...t, scenario: 'A'.repeat(201) }), 't.json:4:14: scenario: string longer than 200 characters'],
      ['a path with code', (t) => ({ ...t, path: '0;alert(1)' }), 't.json:8:10: path: a path is thread numbers separated by dots, with ! and *COUNT'],
      ['a missing field', (t) => ({ ...t, initial: { ...t.initial, global: { epmutex: null, watches: 0 } } }), 't.json:60:13: initial.global.faults: missing'],
      [
        'an array for an object',
        (t) => ({ ...t, initial: { ...t.initial, global: [] } }),
        't.json:60:13: initial.global: expected an object, got an array of 0',
      ],
      [
        'a fraction',
        (t) => ({ ...t, initial: { ...t.initial, global: { epmutex: null, watches: 1.5, faults: 0 } } }),
        't.json:62:15: initial.global.watches: expected a whole number, got number',
      ],
      [
        'out of range',
        (t) => ({ ...t, initial: { ...t.initial, global: { epmutex: null, watches: -1, faults: 0 } } }),
        't.json:62:15: initial.global.watches: -1 is outside 0..1073741824',
      ],
      [
        'an unknown kind',
        (t) => ({ ...t, initial: { ...t.initial, files: [{ ...t.initial.files[0], kind: 'pipe' }] } }),
        't.json:37:13: initial.files[0].kind: expected one of socket, regular, epoll',
      ],
      [
        'a string for a list',
        (t) => ({ ...t, steps: [{ ...t.steps[0], changes: 'x' }] }),
        't.json:76:15: steps[0].changes: expected an array, got a string of 1 character',
      ],
      ['a bad label', (t) => ({ ...t, steps: [{ ...t.steps[0], label: '1x' }] }), 't.json:125:13: steps[0].label: a step label is an identifier'],
      ['too many entries', (t) => ({ ...t, threads: Array.from({ length: 1025 }, () => 0) }), 't.json:9:13: threads: 1025 entries (at most 1024)'],
      ['steps out of order', (t) => ({ ...t, steps: [{ ...t.steps[0], step: 2 }] }), 't.json:68:12: steps[0].step: expected step 1, got 2'],
      ['an unknown thread', (t) => ({ ...t, steps: [{ ...t.steps[0], threadIndex: 1 }] }), 't.json:70:19: steps[0].threadIndex: no thread 1 (the trace has 1)'],
      [
        'a violation after the end',
        (t) => ({ ...t, violation: { property: 'refcount', kind: 'x', message: 'm', step: 2 } }),
        't.json:131:11: violation.step: step 2 is past the last step (1)',
      ],
      [
        'a malformed memory report',
        (t) => ({ ...t, violation: { property: 'no-uaf', kind: 'x', message: 'm', step: 1, memory: { tool: 'KASAN' } } }),
        't.json:132:13: violation.memory.title: missing',
      ],
      [
        'three tasks',
        (t) => ({ ...t, violation: { property: 'deadlock', kind: 'x', message: 'm', step: 1, scenario: { tasks: ['a', 'b', 'c'], rows: [] } } }),
        't.json:136:5: violation.scenario.tasks[2]: expected the two tasks of the scenario, got a string of 1 character',
      ],
    ];
    for (const [what, make, want] of cases) expect(refusal(pretty(make(tiny()))), what).toBe(want);
    expect(refusal(pretty(tiny()))).toBe('accepted');
  });

  it('syntax errors, located by the scanner (the same words in every engine)', () => {
    const cases: [string, string][] = [
      ['', 't.json:1:1: not JSON: expected a value'],
      ['{"format": 1,\n "tool": }', 't.json:2:10: not JSON: expected a value'],
      ['{"a": 1,}', 't.json:1:9: not JSON: expected a property name in double quotes'],
      ['{"a" 1}', "t.json:1:6: not JSON: expected ':'"],
      ['[1 2]', "t.json:1:4: not JSON: expected ','"],
      ["{'a': 1}", 't.json:1:2: not JSON: unexpected character'],
      ['/* c */ {}', 't.json:1:1: not JSON: comments are not JSON'],
      ['{"a": "\\x"}', 't.json:1:7: not JSON: invalid escape in a string'],
      ['"abc', 't.json:1:1: not JSON: unterminated string'],
    ];
    for (const [text, want] of cases) expect(refusal(text), JSON.stringify(text)).toBe(want);
  });

  it('a value (not text) is refused with its path and no position', () => {
    expect(() => validateTrace({ ...tiny(), variant: 7 })).toThrow(new TraceError('variant: expected a string, got number'));
    try {
      validateTrace(null);
    } catch (e) {
      expect((e as TraceError).located('x')).toBe('x: the trace: expected a JSON object (Trace JSON, format 1), got null');
    }
  });

  it('only the fields of the format are kept: unknown keys and a "__proto__" key are dropped, no prototype is touched', () => {
    const text = pretty(tiny()).replace('{\n', '{\n "__proto__": {"polluted": 1},\n "extra": [1, 2],\n');
    const t = parseTraceText(text) as unknown as Record<string, unknown>;
    expect(Object.getPrototypeOf(t)).toBe(Object.prototype);
    expect(Object.hasOwn(t, '__proto__') || Object.hasOwn(t, 'extra')).toBe(false);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect(Object.keys(t)).toEqual(['format', 'tool', 'scenario', 'title', 'file', 'variant', 'path', 'threads', 'initial', 'steps', 'violation', 'source']);
  });

  it('a state shared by reference (a trace built in memory) is checked once and stays shared; a bad one is still refused', () => {
    const t = tiny();
    const shared = t.steps[0]!.state as Record<string, unknown>;
    const steps = [1, 2, 3].map((step) => ({ ...t.steps[0], step, state: shared }));
    const out = validateTrace({ ...t, steps });
    expect(out.steps[1]!.state).toBe(out.steps[0]!.state);
    expect(out.steps[2]!.state).toBe(out.steps[0]!.state);
    const bad = { ...shared, locks: 'none' };
    expect(() => validateTrace({ ...t, steps: [steps[0], { ...steps[1]!, state: bad }, { ...steps[2]!, state: bad }] })).toThrow(
      new TraceError('steps[1].state.locks: expected an array, got a string of 4 characters'),
    );
  });

  it('a byte order mark does not shift the position', () => {
    expect(refusal(`\ufeff${pretty({ ...tiny(), tool: 'spin' })}`)).toBe('t.json:3:10: tool: not an fdrace trace (expected "tool": "fdrace")');
  });
});

describe('locateValue', () => {
  /** Every path into a JSON value, with the value. */
  function paths(x: unknown, at: (string | number)[] = []): (string | number)[][] {
    const out = [at];
    if (Array.isArray(x)) x.forEach((e, i) => out.push(...paths(e, [...at, i])));
    else if (x !== null && typeof x === 'object') for (const [k, e] of Object.entries(x)) out.push(...paths(e, [...at, k]));
    return out;
  }
  function oracle(text: string, path: (string | number)[]): { line: number; col: number } {
    const node = findNodeAtLocation(parseTree(text)!, path)!;
    const before = text.slice(0, node.offset);
    return { line: before.split('\n').length, col: node.offset - before.lastIndexOf('\n') };
  }

  it('finds every value where jsonc-parser finds it, at any indentation and with escaped keys', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 4 }), fc.constantFrom<string | number>(0, 1, 2, '\t'), fc.nat(), (x, indent, pick) => {
        const text = JSON.stringify(x, null, indent);
        const all = paths(JSON.parse(text));
        const path = all[pick % all.length]!;
        expect(locateValue(text, path)).toEqual(oracle(text, path));
      }),
      { numRuns: 300 },
    );
  });

  it('a missing key or index points at the object or array that lacks it; the last of duplicate keys counts', () => {
    const text = '{\n "a": {\n  "b": [1, {"c": 2}]\n },\n "a": {"z": 1}\n}';
    expect(locateValue(text, ['a', 'z'])).toEqual({ line: 5, col: 13 });
    expect(locateValue(text, ['a', 'b'])).toEqual({ line: 5, col: 7 });
    expect(locateValue('{"a": [1, 2]}', ['a', 5])).toEqual({ line: 1, col: 7 });
    expect(locateValue('{"k\\"ey": {"x\\u0041": 1}}', ['k"ey', 'xA'])).toEqual({ line: 1, col: 23 });
    expect(locateValue('[]', [])).toEqual({ line: 1, col: 1 });
  });
});

describe('the JSON Schema and the validator agree', () => {
  const ajv = new Ajv2020({ strict: false, allErrors: false });
  const schemaOk = ajv.compile(JSON.parse(traceJsonSchema()) as object);
  let real: Trace;
  let full: Trace;

  beforeAll(async () => {
    real = JSON.parse(JSON.stringify(await trace(H, 'current~ep-remove-pin', '0*5.1*13.0*8.1', 'no-uaf'))) as Trace;
    // Every optional part of the format present at once.
    full = structuredClone(real);
    full.steps[0]!.label = 'EpRemoveRbErase';
    full.violation = {
      ...full.violation!,
      subject: { kind: 'epitem', name: '3' },
      scenario: {
        tasks: ['T1', 'T2'],
        rows: [
          { cpu: 0, text: 'lock(E.mtx);' },
          { cpu: 1, text: 'lock(G.f_lock);' },
        ],
      },
      splat: 'WARNING: possible circular locking dependency detected',
    };
    full.lasso = { prefixSteps: 2, cycleStart: 1, cycleSteps: 1 };
  });

  it('on replayed traces: both accept, and the validator returns the trace unchanged', () => {
    for (const t of [real, full]) {
      expect(schemaOk(t), JSON.stringify(schemaOk.errors)).toBe(true);
      expect(validateTrace(t)).toEqual(t);
    }
  });

  /** A leaf or object of the trace replaced, removed, given an extra key, or (an array) grown past a bound. */
  type Edit = { path: (string | number)[]; op: 'set' | 'delete' | 'extra' | 'grow'; value: unknown };
  function apply(t: unknown, e: Edit): unknown {
    const copy = structuredClone(t) as Record<string | number, unknown>;
    let o: Record<string | number, unknown> = copy;
    for (const k of e.path.slice(0, -1)) o = o[k] as Record<string | number, unknown>;
    const last = e.path[e.path.length - 1]!;
    if (e.op === 'set') o[last] = e.value;
    else if (e.op === 'grow') {
      // Past a bound with entries of the right shape: only the length is wrong.
      const a = o[last];
      if (Array.isArray(a) && a.length > 0) o[last] = Array.from({ length: [65, 201, 513, 1025][Number(e.value) & 3]! }, () => a[0]);
    } else if (e.op === 'delete') {
      if (Array.isArray(o)) o.splice(last as number, 1);
      else delete o[last];
    } else if (typeof o[last] === 'object' && o[last] !== null && !Array.isArray(o[last])) (o[last] as Record<string, unknown>).unknownField = e.value;
    return copy;
  }
  function leaves(x: unknown, at: (string | number)[] = []): (string | number)[][] {
    const out: (string | number)[][] = at.length ? [at] : [];
    if (Array.isArray(x)) x.slice(0, 3).forEach((e, i) => out.push(...leaves(e, [...at, i])));
    else if (x !== null && typeof x === 'object') for (const [k, e] of Object.entries(x)) out.push(...leaves(e, [...at, k]));
    return out;
  }

  /** Both verdicts on one edited trace; null when the validator refused it by a cross-field rule. */
  function verdicts(edited: unknown): { schema: boolean; validator: string | null } | null {
    const bySchema = schemaOk(edited);
    let message: string | null = null;
    try {
      const out = validateTrace(edited);
      // Accepted: what comes back is the trace without unknown keys.
      expect(out).toEqual(JSON.parse(JSON.stringify(edited, (k, x) => (k === 'unknownField' ? undefined : x))));
    } catch (e) {
      if (!(e instanceof TraceError)) throw e;
      message = e.message;
    }
    if (message !== null && CROSS_FIELD.some((r) => r.test(message!))) return null;
    return { schema: bySchema, validator: message };
  }

  it('on every array grown past each bound: both refuse it, or both accept it', () => {
    // Two steps are enough to reach every kind of array, and keep 1025-entry copies cheap.
    const small: Trace = { ...full, steps: full.steps.slice(0, 2), violation: { ...full.violation!, step: 2 } };
    const at = (p: (string | number)[]): unknown => p.reduce<unknown>((o, k) => (o as Record<string | number, unknown>)[k], small);
    const arrays = leaves(small).filter((p) => Array.isArray(at(p)) && (at(p) as unknown[]).length > 0);
    let refused = 0;
    for (const path of arrays) {
      for (const n of [0, 1, 2, 3]) {
        const edited = apply(small, { path, op: 'grow', value: n });
        const v = verdicts(edited);
        if (v === null) continue;
        expect(v.schema, `${path.join('.')} grown: validator says ${v.validator ?? 'ok'}`).toBe(v.validator === null);
        if (v.validator !== null) refused++;
      }
    }
    expect(refused).toBeGreaterThan(20);
  });

  it('on random edits: the JSON Schema accepts exactly what the validator accepts, but for the cross-field rules', () => {
    const targets = [...leaves(full)].filter((p) => p[0] !== 'steps' || (typeof p[1] === 'number' && p[1] < 2));
    const value = fc.oneof(
      fc.constantFrom(null, true, 0, 1, -1, 2, 1.5, 2 ** 40, '', 'x', '1', 'A'.repeat(201), [], {}, ['T1', 'T2'], 'live', 'KASAN'),
      fc.jsonValue({ maxDepth: 2 }),
    );
    fc.assert(
      fc.property(fc.constantFrom(...targets), fc.constantFrom('set', 'delete', 'extra', 'grow'), value, (path, op, v) => {
        const r = verdicts(apply(full, { path, op: op as Edit['op'], value: v }));
        if (r === null) return;
        expect(r.schema, `${path.join('.')} ${op} ${JSON.stringify(v)?.slice(0, 80)}: validator says ${r.validator ?? 'ok'}`).toBe(r.validator === null);
      }),
      { numRuns: 200 },
    );
  });
});
