// Errors every front end maps to an exit code: input the user can fix (exit 2) as opposed to internal errors.
// They live in the library, not the CLI, because the library's loaders raise them and every front end (the CLI,
// the web worker, the tests) must recognise them.

/** A usage or input error: printed as one line, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
