// docs/trace.schema.json from the trace schema (checker/trace/schema/): one JSON Schema (draft 2020-12) for Trace
// JSON format 1, for readers in other languages and editors. The schema's named parts become $defs.
//
//   npm run schema              # write docs/trace.schema.json
//   npm run schema -- --check   # exit 1 when the committed file differs from a fresh one (CI, test/trace-schema.test.ts)

import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { toJsonSchema } from '@valibot/to-json-schema';
import * as v from 'valibot';
import { MemoryReportSchema } from '../checker/trace/schema/memory.ts';
import {
  DecodedEpollSchema,
  DecodedFdSchema,
  DecodedFileSchema,
  DecodedItemSchema,
  DecodedLockSchema,
  DecodedProcessSchema,
  DecodedStateSchema,
  DecodedThreadSchema,
} from '../checker/trace/schema/state.ts';
import { LockOrderScenarioSchema, TraceSchema, TraceStepSchema, TraceViolationSchema, ViolationSubjectSchema } from '../checker/trace/schema/trace.ts';

export const SCHEMA_FILE = join(import.meta.dirname, '..', 'docs', 'trace.schema.json');

/** What JSON Schema cannot say; the validator checks it (the schema's raw_check) and the file says it in words. */
const CROSS_FIELD =
  'Beyond this schema, a reader checks: steps[i].step is i + 1; every steps[i].threadIndex is below threads.length; violation.step is at most steps.length.';

export function traceJsonSchema(): string {
  const schema = toJsonSchema(v.pipe(TraceSchema, v.description(`Written by fdrace check --trace-out and fdrace replay --json. ${CROSS_FIELD}`)), {
    target: 'draft-2020-12',
    // The cross-field checks (steps numbered in order, thread indices, the violation's step) are the one part of
    // the schema JSON Schema cannot express; everything else converts or the generation fails.
    ignoreActions: ['raw_check'],
    definitions: {
      TraceStep: TraceStepSchema,
      TraceViolation: TraceViolationSchema,
      ViolationSubject: ViolationSubjectSchema,
      LockOrderScenario: LockOrderScenarioSchema,
      MemoryReport: MemoryReportSchema,
      DecodedState: DecodedStateSchema,
      DecodedProcess: DecodedProcessSchema,
      DecodedFd: DecodedFdSchema,
      DecodedFile: DecodedFileSchema,
      DecodedEpoll: DecodedEpollSchema,
      DecodedItem: DecodedItemSchema,
      DecodedThread: DecodedThreadSchema,
      DecodedLock: DecodedLockSchema,
    },
  });
  // The header first, as a reader opening the file expects it.
  const { $schema, title, description, ...rest } = schema;
  return `${JSON.stringify({ $schema, title, description, ...rest }, null, 2)}\n`;
}

if (process.argv[1] === import.meta.filename) {
  const fresh = traceJsonSchema();
  if (process.argv.includes('--check')) {
    let old = '';
    try {
      old = readFileSync(SCHEMA_FILE, 'utf8');
    } catch {}
    if (old !== fresh) {
      console.error('docs/trace.schema.json is stale: run `npm run schema` and commit it');
      process.exit(1);
    }
    console.log('docs/trace.schema.json is current');
  } else {
    writeFileSync(SCHEMA_FILE, fresh);
    console.log(`wrote docs/trace.schema.json (${fresh.length} bytes)`);
  }
}
