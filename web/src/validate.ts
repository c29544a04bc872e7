// The trace schema lives with the trace format in checker/trace/validate.ts (the CLI's `fdrace view` checks files
// with it too); the viewer imports it from here.
export * from '../../checker/trace/validate.ts';
