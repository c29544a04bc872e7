// Bounds on everything in a trace file, so hostile input costs a bounded amount of work before it is refused.
// The viewer's loaders (web/src/load.ts) and `fdrace view` check `bytes` before reading a file.
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
