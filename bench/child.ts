// One measurement in a process of its own (bench/run.ts spawns it): a fresh JIT, and the process's peak RSS.
// argv: JSON { file, variant, options, limits, workers }. Prints one JSON line: the SearchResult's numbers.
import { compileScenario } from '../checker/compile/config.ts';
import { loadKernel } from '../checker/kernel/load-node.ts';
import { readScenario } from '../checker/load.ts';
import { searchAsync } from '../checker/search/run.ts';
import { resolveVariant } from '../checker/variants.ts';

const job = JSON.parse(process.argv[2]!) as {
  file: string;
  variant: string;
  options: Record<string, unknown>;
  limits?: { maxMemoryBytes?: number; maxStates?: number; timeoutSeconds?: number };
  workers?: number;
};
const s = readScenario(job.file);
const v = resolveVariant(job.variant, [], []);
const c = compileScenario(s, v.label, v.toggles, job.file);
const x = await loadKernel();
const r = await searchAsync(x, c, job.limits ?? {}, job.options, job.workers ?? 1, job.file);
const rss = process.resourceUsage().maxRSS * 1024;
console.log(JSON.stringify({ verdict: r.verdict, incomplete: r.incomplete ?? null, stats: r.stats, search: r.search, rss }));
