// Exit codes: a stable contract (README.md, "Exit codes"). Scripts and CI rely on them; never renumber.
export const EXIT = {
  ok: 0,
  internal: 1,
  usage: 2,
  violation: 10,
  deadlock: 11,
  incomplete: 12,
} as const;

export { UsageError } from '../errors.ts';
