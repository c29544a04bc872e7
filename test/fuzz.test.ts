// The fuzzer itself: inputs are a pure function of (seed, index, check rate), so a report's `--seed S --only I`
// regenerates the very input; and a short seeded run of the pipeline is part of npm test.
import { describe, expect, it } from 'vitest';
import { loadKernel } from '../checker/kernel/load-node.ts';
import { BATCH, DERIVED, inputAt } from './fuzz/gen.ts';
import { runInput } from './fuzz/pipeline.ts';

describe('npm run fuzz', async () => {
  const inst = { x: await loadKernel(), xr: await loadKernel() };
  it('regenerates any input from its seed and index, whatever was generated before', () => {
    const far = BATCH * DERIVED * 3 + 17;
    const a = inputAt(2026, far, 0.5);
    inputAt(2026, 5, 0.5);
    inputAt(99, far, 0.5);
    expect(inputAt(2026, far, 0.5)).toEqual(a);
    expect(inputAt(2026, far + 1, 0.5)).not.toEqual(a);
  });
  it('a seeded run of 600 inputs finds nothing and sends some through bounded checks and replays', () => {
    let checks = 0;
    let replays = 0;
    for (let i = 0; i < 600; i++) {
      const o = runInput(inst, inputAt(13, i * 37, 0.5));
      checks += o.checks;
      replays += o.replays;
    }
    expect(checks).toBeGreaterThan(20);
    expect(replays).toBeGreaterThan(5);
  });
});
