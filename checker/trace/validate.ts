// Trace JSON comes from files, drops, URLs and `fdrace view`: anything. Before the viewer touches it, it is checked
// against the trace schema (checker/trace/schema/, format 1) with every array and string bounded, and rebuilt from
// the known fields only, so the rest of the viewer can trust its types. An error names the JSON path of the first
// problem and, when the text is at hand, its line and column. No DOM here: the CLI's `fdrace view` validates with
// the same code before serving a file.

import * as v from 'valibot';
import { type JsonLoc, locateSyntaxError, locateValue } from './json-position.ts';
import { LIMITS } from './schema/limits.ts';
import { TraceSchema } from './schema/trace.ts';
import type { LockOrderScenario, Trace, TraceViolation } from './types.ts';

export { LIMITS };
export type { LockOrderScenario };
/** The viewer's names for the validated trace (one type since the schema gives both). */
export type ViewTrace = Trace;
export type ViewViolation = TraceViolation;

export class TraceError extends Error {
  constructor(
    message: string,
    /** Where in the trace text the problem is (null when validating a value, not text). */
    readonly loc: JsonLoc | null = null,
  ) {
    super(message);
    this.name = 'TraceError';
  }
  /** "FILE:LINE:COL: LEAD MESSAGE", or "FILE: LEAD MESSAGE" without a position. */
  located(file: string, lead = ''): string {
    return `${file}${this.loc ? `:${this.loc.line}:${this.loc.col}` : ''}: ${lead}${this.message}`;
  }
}

type Key = string | number;

/** "steps[3].state.files[0].ref": the JSON path as a reader of the file would write it. */
function formatPath(keys: readonly Key[]): string {
  return keys.map((k, i) => (typeof k === 'number' ? `[${k}]` : i === 0 ? k : `.${k}`)).join('');
}

function check(x: unknown, text: string | null): ViewTrace {
  const r = v.safeParse(TraceSchema, x, { abortEarly: true });
  if (r.success) return r.output;
  const issue = r.issues[0];
  const keys = (issue.path ?? []).map((p) => p.key as Key);
  const loc = text === null ? null : locateValue(text, keys);
  throw new TraceError(`${formatPath(keys) || 'the trace'}: ${issue.message}`, loc);
}

/** Validate a parsed trace (a value, not text: errors carry the JSON path but no line and column). */
export function validateTrace(x: unknown): ViewTrace {
  return check(x, null);
}

/** Parse and validate trace text; the size check comes before JSON.parse so a huge file is refused cheaply. */
export function parseTraceText(text: string): ViewTrace {
  if (text.length > LIMITS.bytes) throw new TraceError(`the text is ${text.length} characters; traces are limited to ${LIMITS.bytes}`);
  // A UTF-8 byte order mark (written by some editors) is not part of the JSON text.
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let x: unknown;
  try {
    x = JSON.parse(text);
  } catch (e) {
    const located = locateSyntaxError(text);
    if (located) throw new TraceError(`not JSON: ${located.message}`, located.loc);
    throw new TraceError(`not JSON: ${(e as Error).message.slice(0, 160)}`);
  }
  return check(x, text);
}
