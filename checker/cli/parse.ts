// fdrace parse FILE: the scenario's JSON form (the typed, validated Scenario).
import { readScenario } from '../load.ts';
import { EXIT, UsageError } from './exit.ts';

export function parseCommand(argv: string[]): number {
  if (argv.length !== 1 || argv[0]!.startsWith('--')) throw new UsageError('usage: fdrace parse FILE.fdr');
  console.log(JSON.stringify(readScenario(argv[0]!), null, 1));
  return EXIT.ok;
}
