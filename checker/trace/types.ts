// Trace JSON, format 1: a counterexample replayed step by step, with the decoded kernel state after each step.
// Consumed by the text report, the web viewer and `fdrace replay`. Everything is plain data; names, never
// indices, so that a reader needs no scenario to understand it. The types are the trace schema's
// (checker/trace/schema/), where each field is described; docs/trace-format.md documents the format.

import type * as v from 'valibot';
import type { DecodedLockSchema, DecodedStateSchema, DecodedThreadSchema, LifeNameSchema } from './schema/state.ts';
import type { MemoryReportSchema } from './schema/memory.ts';
import type { LockOrderScenarioSchema, TraceSchema, TraceStepSchema, TraceViolationSchema, ViolationSubjectSchema } from './schema/trace.ts';

export { TRACE_FORMAT } from './schema/trace.ts';

export type LifeName = v.InferOutput<typeof LifeNameSchema>;
export type DecodedThread = v.InferOutput<typeof DecodedThreadSchema>;
export type DecodedLock = v.InferOutput<typeof DecodedLockSchema>;
export type DecodedState = v.InferOutput<typeof DecodedStateSchema>;
export type TraceStep = v.InferOutput<typeof TraceStepSchema>;
export type ViolationSubject = v.InferOutput<typeof ViolationSubjectSchema>;
export type LockOrderScenario = v.InferOutput<typeof LockOrderScenarioSchema>;
export type MemoryReport = v.InferOutput<typeof MemoryReportSchema>;
export type TraceViolation = v.InferOutput<typeof TraceViolationSchema>;
export type Trace = v.InferOutput<typeof TraceSchema>;
