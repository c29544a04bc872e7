// One measurement in a process of its own (bench/run.ts spawns it): a fresh JIT, and the process's peak RSS.
// argv: JSON { file, variant, options, limits, workers }. Prints one JSON line: the SearchResult's numbers.
import { readScenario } from '../checker/load.ts';
import type { SearchOptions } from '../checker/search/options.ts';
import { nodeSession } from '../checker/session-node.ts';

const job = JSON.parse(process.argv[2]!) as {
  file: string;
  variant: string;
  options: SearchOptions;
  limits?: { maxMemoryBytes?: number; maxStates?: number; timeoutSeconds?: number };
  workers?: number;
};
const session = nodeSession();
const s = readScenario(job.file);
const c = session.compile(s, session.resolve(job.variant), job.file);
const r = await session.search(c, job.file, { search: job.options, limits: job.limits ?? {}, workers: job.workers ?? 1 });
const rss = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify({ verdict: r.verdict, incomplete: r.incomplete ?? null, stats: r.stats, search: r.search, rss }));
