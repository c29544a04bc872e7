// Every input that ever crashed or hung the fuzzer (npm run fuzz writes them to test/fuzz-corpus/), replayed
// through the whole pipeline: with the plan that found it, then with every strategy with and without reductions
// on every variant. Each must now finish without an internal error or a lie (test/fuzz/pipeline.ts).
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadKernel } from '../checker/kernel/load-node.ts';
import type { FuzzInput } from './fuzz/gen.ts';
import { ALL_PLANS, runInput } from './fuzz/pipeline.ts';

const DIR = join(import.meta.dirname, 'fuzz-corpus');
const entries = readdirSync(DIR)
  .filter((f) => f.endsWith('.json'))
  .sort()
  .map((f) => ({ file: f, ...(JSON.parse(readFileSync(join(DIR, f), 'utf8')) as { found: { kind: string; message: string }; input: FuzzInput }) }));

describe('fuzz corpus', async () => {
  const inst = { x: await loadKernel(), xr: await loadKernel() };
  it('is not empty', () => {
    expect(entries.length).toBeGreaterThan(0);
  });
  it.each(entries.map((e) => [e.file, e] as const))(
    '%s',
    (_f, e) => {
      const own = runInput(inst, e.input, e.input.checks, Infinity);
      const all = runInput(inst, e.input, ALL_PLANS, Infinity);
      expect(all.checks).toBeGreaterThanOrEqual(own.checks);
    },
    120_000,
  );
});
