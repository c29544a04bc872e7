// The trace schema lives with the trace format in checker/trace/schema/, its validator in checker/trace/validate.ts
// (the CLI's `fdrace view` checks files with the same code); the viewer imports them from here.
export * from '../../checker/trace/validate.ts';
