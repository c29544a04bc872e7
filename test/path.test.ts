// The one replay format: a path's text form round-trips, runs are compressed, hostile texts are refused.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { MAX_PATH_STEPS, Path, PathError } from '../checker/path.ts';
import { formatPath, parsePath } from '../checker/search/result.ts';

const choice = (threads: number) => fc.record({ thread: fc.integer({ min: 0, max: threads - 1 }), fail: fc.boolean() });

describe('Path', () => {
  it('parse(format(p)) == p for any path (property)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 12 }).chain((n) => fc.tuple(fc.constant(n), fc.array(choice(n), { maxLength: 200 }))),
        ([n, cs]) => {
          const p = Path.of(cs);
          const q = Path.parse(p.format(), n);
          expect(q.moves).toEqual(p.moves);
          expect(q.format()).toBe(p.format());
        },
      ),
      { numRuns: 500 },
    );
  });

  it('writes runs of more than two equal choices with a count', () => {
    expect(Path.of([{ thread: 0 }, { thread: 0 }]).format()).toBe('0.0');
    expect(Path.of(Array(24).fill({ thread: 0 })).format()).toBe('0*24');
    expect(Path.of([{ thread: 1, fail: true }, { thread: 2 }, { thread: 2 }, { thread: 2 }]).format()).toBe('1!.2*3');
    expect(Path.parse('0.0.1*5.0*10.1*4.0.0', 2).length).toBe(23);
    expect(Path.empty.format()).toBe('');
    expect(Path.parse('  ', 3).length).toBe(0);
  });

  it('the legacy helpers are the same format', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 15 }), { maxLength: 100 }), (moves) => {
        expect(formatPath(moves)).toBe(Path.fromMoves(moves).format());
        expect(parsePath(formatPath(moves), 8)).toEqual(moves);
      }),
    );
  });

  it('refuses what is not a path, saying where', () => {
    expect(() => Path.parse('0.x', 2)).toThrow(/part 2 'x'/);
    expect(() => Path.parse('0.2', 2)).toThrow(/names thread 2, but the scenario has 2 threads/);
    expect(() => Path.parse('0*0', 2)).toThrow(/repeat count 0/);
    expect(() => Path.parse(`0*${MAX_PATH_STEPS}.1`, 2)).toThrow(PathError);
    expect(() => Path.parse('0.'.repeat(MAX_PATH_STEPS), 2)).toThrow(/longer than/);
    expect(Path.parse(`0*${MAX_PATH_STEPS}`, 1).length).toBe(MAX_PATH_STEPS);
  });

  it('orders shortest first, then by choices (deterministic pick among equals)', () => {
    const a = Path.parse('0.1', 2);
    const b = Path.parse('1.0', 2);
    const c = Path.parse('0', 2);
    expect([b, a, c].sort(Path.compare).map(String)).toEqual(['0', '0.1', '1.0']);
    expect(a.equals(Path.parse('0.1', 2))).toBe(true);
    expect(a.prefix(1).format()).toBe('0');
    expect(JSON.stringify({ p: b })).toBe('{"p":"1.0"}');
  });
});
