// The building blocks of the trace schema (valibot). Each one gives a TypeScript type, a runtime check with the
// message a person reading a hand-edited trace needs ("expected a whole number, got a string of 3 characters"), and
// its JSON Schema (docs/trace.schema.json). Every string and array is bounded: trace files come from anywhere.
//
// Two checks must run before valibot's own order would run them: an array's length before its items (a hostile
// 10-million-entry array is refused at once, with the count, not at its first bad entry) and "is it an object" before
// an object's keys (valibot's object() takes an array for an object and would report a missing key instead). For
// those, `runAs` keeps the schema's type and JSON Schema and validates with a pipeline that puts the check first.

import * as v from 'valibot';

type Issue = v.BaseIssue<unknown>;
type Message = (issue: Issue) => string;
/** Any schema of this file (the issue type is erased: every message is a string). */
export type Schema<T> = v.GenericSchema<unknown, T>;

/** "an array of 3", "a string of 5000 characters", "null": what a value was, without echoing it. */
export function describe(x: unknown): string {
  if (x === null) return 'null';
  if (x === undefined) return 'nothing';
  if (Array.isArray(x)) return `an array of ${x.length}`;
  if (typeof x === 'string') return `a string of ${x.length} character${x.length === 1 ? '' : 's'}`;
  return typeof x === 'object' ? 'an object' : `${typeof x}`;
}

/** A required field that is absent (or undefined in a trace built in memory) is "missing", whatever its type. */
export const expected =
  (what: string): Message =>
  (iss) =>
    iss.input === undefined ? 'missing' : `expected ${what}, got ${describe(iss.input)}`;

/** Validate with `run` but present `shown` (its type, its JSON Schema conversion, its pipe). */
function runAs<T>(shown: Schema<T>, run: Schema<T>): Schema<T> {
  return { ...shown, '~run': run['~run'] } as Schema<T>;
}

export const str = (max: number): Schema<string> => v.pipe(v.string(expected('a string')), v.maxLength(max, `string longer than ${max} characters`));

export const int = (min: number, max: number): Schema<number> =>
  v.pipe(
    v.number(expected('a whole number')),
    v.integer(expected('a whole number')),
    v.minValue(min, (iss) => `${iss.input} is outside ${min}..${max}`),
    v.maxValue(max, (iss) => `${iss.input} is outside ${min}..${max}`),
  );

export const bool: Schema<boolean> = v.boolean(expected('true or false'));

export const oneOf = <const T extends string>(...values: T[]): Schema<T> =>
  v.picklist(values, (iss) => (iss.input === undefined ? 'missing' : `expected one of ${values.join(', ')}`));

/** An array of at most `max` entries, its length checked before any entry. */
export function arr<T>(max: number, item: Schema<T>): Schema<T[]> {
  const tooMany = (iss: Issue): string => `${(iss.input as unknown[]).length} entries (at most ${max})`;
  return runAs(
    v.pipe(v.array(item, expected('an array')), v.maxLength(max, tooMany)),
    v.pipe(v.array(v.unknown(), expected('an array')), v.maxLength(max, tooMany), v.array(item)),
  );
}

function isRecord(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}

/** An object: only its declared keys are read and copied into a fresh object (anything else is dropped), each
 *  declared key is required unless wrapped in v.optional. `what` names it in the message for a non-object;
 *  `missing` words the message for an absent key (the issue's `expected` is the key, quoted). */
export function obj<const E extends v.ObjectEntries>(entries: E, what = 'an object', missing: Message = () => 'missing') {
  const shown = v.object(entries, missing);
  return runAs(shown, v.pipe(v.custom<v.InferInput<typeof shown>>(isRecord, expected(what)), shown)) as typeof shown;
}

/** Checks a schema's output once per object identity: a trace built in memory (a test harness, the playground)
 *  shares unchanged states between steps by reference, and 50,000 steps need not copy one state 50,000 times. */
export function once<T extends object>(schema: Schema<T>): Schema<T> {
  const seen = new WeakMap<object, T>();
  const run = schema['~run'];
  return {
    ...schema,
    '~run'(dataset, config) {
      const input = dataset.value;
      const hit = isRecord(input) ? seen.get(input) : undefined;
      if (hit) return { typed: true, value: hit };
      const out = run.call(this, dataset, config) as v.OutputDataset<T, Issue>;
      if (isRecord(input) && out.typed && !out.issues) seen.set(input, out.value);
      return out;
    },
  } as Schema<T>;
}
