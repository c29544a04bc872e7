// The memory report in Trace JSON: written by replay, read back by the viewer's validator (web/src/validate.ts,
// DOM-free) — present on memory findings, absent elsewhere, and a malformed one is rejected with its JSON path.
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateTrace, TraceError } from '../web/src/validate.ts';
import { trace } from './util/run.ts';

const H = readFileSync(new URL('../scenarios/history/ep-remove-uaf-a6dc643c6931.fdr', import.meta.url), 'utf8');

describe('violation.memory in Trace JSON', () => {
  it('survives JSON and the viewer validator unchanged', async () => {
    const tr = await trace(H, 'current~ep-remove-pin', '0*5.1*13.0*8.1', 'no-uaf');
    const json = JSON.parse(JSON.stringify(tr)) as unknown;
    const v = validateTrace(json);
    expect(v.format).toBe(1);
    expect(v.violation!.memory).toEqual(tr.violation!.memory);
    expect(v.violation!.memory!.text[1]).toBe('BUG: KASAN: slab-use-after-free in ep_remove');
  });

  it('lockdep report of the same interleaving, one step earlier', async () => {
    const tr = await trace(H, 'current~ep-remove-pin', '0*5.1*13.0*9', 'free-while-locked');
    const v = validateTrace(JSON.parse(JSON.stringify(tr)) as unknown);
    expect(v.violation!.memory).toMatchObject({ tool: 'lockdep', lock: { name: 'G.f_lock', holder: 'T2' } });
  });

  it('a trace without the field (format 1 as written before) still validates', async () => {
    const tr = await trace(H, 'current', '0*5');
    expect(tr.violation).toBeNull();
    const old = JSON.parse(JSON.stringify(await trace(H, 'current~ep-remove-pin', '0*5.1*13.0*8.1', 'no-uaf'))) as { violation: Record<string, unknown> };
    delete old.violation.memory;
    expect(validateTrace(old).violation!.memory).toBeUndefined();
  });

  it('a malformed report is rejected at its path', async () => {
    const bad = JSON.parse(JSON.stringify(await trace(H, 'current~ep-remove-pin', '0*5.1*13.0*8.1', 'no-uaf'))) as {
      violation: { memory: Record<string, unknown> };
    };
    bad.violation.memory.size = '8';
    expect(() => validateTrace(bad)).toThrow(TraceError);
    expect(() => validateTrace(bad)).toThrow('violation.memory.size');
  });
});
