// A path: the vector of choices from the initial state (loom's and Stateright's replay format). Each choice is a
// thread index and whether that step's fault point (an allocation) was made to fail. A counterexample is
// scenario + variant + path; traces, reports and shareable links are all derived from it by replay, so this is
// the one replay format everywhere (search results, Trace JSON, `fdrace replay --path`, URLs).
//
// Text form: choices joined by '.', a failed allocation marked '!', runs of one choice written once with a count:
// "0.1!.2*5" is thread 0, thread 1 with its allocation failing, then thread 2 five times.

/** The largest path a text may name (a longer one is a hostile input, not a counterexample). */
export const MAX_PATH_STEPS = 1_000_000;

export class PathError extends Error {
  override name = 'PathError';
}

export class Path {
  private constructor(
    /** Encoded choices: thread * 2 + (1 if the step's fault point fires). */
    readonly moves: readonly number[],
  ) {}

  static readonly empty = new Path([]);

  /** From the engine's encoded moves. */
  static fromMoves(moves: readonly number[]): Path {
    for (const m of moves) if (!Number.isInteger(m) || m < 0 || m > 511) throw new PathError(`move ${m} is not an encoded choice`);
    return new Path([...moves]);
  }

  static of(choices: readonly { thread: number; fail?: boolean }[]): Path {
    return Path.fromMoves(choices.map((c) => c.thread * 2 + (c.fail ? 1 : 0)));
  }

  /** Parse the text form; `threads` bounds the thread numbers. Throws PathError (the caller adds the location). */
  static parse(text: string, threads: number): Path {
    const t = text.trim();
    if (t === '') return Path.empty;
    if (t.length > MAX_PATH_STEPS) throw new PathError(`path is longer than ${MAX_PATH_STEPS.toLocaleString('en-US')} characters`);
    const moves: number[] = [];
    const parts = t.split('.');
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const m = /^(\d{1,3})(!?)(?:\*(\d{1,7}))?$/.exec(part);
      if (!m) throw new PathError(`part ${i + 1} '${part.slice(0, 20)}' is not a thread number, optionally followed by '!' and '*COUNT'`);
      const th = Number(m[1]);
      if (th >= threads) throw new PathError(`part ${i + 1} names thread ${th}, but the scenario has ${threads} threads`);
      const n = m[3] === undefined ? 1 : Number(m[3]);
      if (n < 1 || moves.length + n > MAX_PATH_STEPS) throw new PathError(`part ${i + 1}: repeat count ${n} is out of range`);
      const move = th * 2 + (m[2] ? 1 : 0);
      for (let k = 0; k < n; k++) moves.push(move);
    }
    return new Path(moves);
  }

  get length(): number {
    return this.moves.length;
  }

  thread(i: number): number {
    return this.moves[i]! >> 1;
  }

  fails(i: number): boolean {
    return (this.moves[i]! & 1) === 1;
  }

  /** The first `n` choices (a prefix is itself a path: the viewer's "explore from here"). */
  prefix(n: number): Path {
    return new Path(this.moves.slice(0, n));
  }

  /** Shortest first, then the least in the order of encoded choices: a deterministic pick among equals. */
  static compare(a: Path, b: Path): number {
    if (a.length !== b.length) return a.length - b.length;
    for (let i = 0; i < a.length; i++) if (a.moves[i] !== b.moves[i]) return a.moves[i]! - b.moves[i]!;
    return 0;
  }

  equals(other: Path): boolean {
    return Path.compare(this, other) === 0;
  }

  /** The text form; runs of more than two equal choices are written with a count. */
  format(): string {
    const out: string[] = [];
    const moves = this.moves;
    for (let i = 0; i < moves.length; ) {
      let j = i;
      while (j < moves.length && moves[j] === moves[i]) j++;
      const m = moves[i]!;
      const one = `${m >> 1}${m & 1 ? '!' : ''}`;
      out.push(
        j - i > 2
          ? `${one}*${j - i}`
          : Array(j - i)
              .fill(one)
              .join('.'),
      );
      i = j;
    }
    return out.join('.');
  }

  toString(): string {
    return this.format();
  }

  toJSON(): string {
    return this.format();
  }
}
