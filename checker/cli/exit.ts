// Exit codes: a stable contract (README.md, "Exit codes"). Scripts and CI rely on them; never renumber.
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  violation: 10,
  deadlock: 11,
  incomplete: 12,
} as const;

/** A usage or input error: printed as one line, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
