// `fdrace check` as one part of a split question: a shard (--shard i/n, --shard-from-env n) or a swarm member
// (--swarm K --swarm-index j), or all K swarm members in this process (--swarm K). The options are validated here
// (errors are plain Errors: the CLI turns them into usage errors, exit 2); the result is the search result plus
// the `part` merge needs (checker/search/shard-result.ts).

import type { Compiled } from '../compile/config.ts';
import type { FdraceExports } from '../kernel/exports.ts';
import { withLockOrder } from '../lockdep.ts';
import type { Limits, SearchOptions } from './options.ts';
import type { SearchResult } from './result.ts';
import { search } from './run.ts';
import { DEFAULT_FRONTIER_FACTOR, parseShard, shardIndexFromEnv, shardSearch, type ShardSpec } from './shard.ts';
import { mergeParts, type Merged } from './shard-merge.ts';
import { partOf, questionHash, questionOf, writeStateHashes, type PartResult } from './shard-result.ts';
import { checkSwarm, memberOptions } from './swarm.ts';

export type PartPlan =
  | { kind: 'none' }
  | { kind: 'shard'; spec: ShardSpec; stateHashes?: string; from?: string }
  | { kind: 'swarm'; count: number; index?: number; stateHashes?: string };

type Opts = Record<string, unknown>;

/** Read and validate --shard, --shard-from-env, --shard-frontier, --swarm, --swarm-index, --state-hashes. */
export function partPlan(opts: Opts, options: SearchOptions, workers: number, env: NodeJS.ProcessEnv = process.env): PartPlan {
  const shard = opts.shard as string | undefined;
  const fromEnv = opts['shard-from-env'] as number | undefined;
  const swarm = opts.swarm as number | undefined;
  const swarmIndex = opts['swarm-index'] as number | undefined;
  const stateHashes = opts['state-hashes'] as string | undefined;
  const frontier = opts['shard-frontier'] as number | undefined;
  if (shard !== undefined && fromEnv !== undefined) throw new Error('--shard and --shard-from-env contradict each other (give one)');
  if ((shard !== undefined || fromEnv !== undefined) && swarm !== undefined)
    throw new Error('--shard and --swarm contradict each other (a shard is part of one exhaustive search; a swarm member is not)');
  if (swarmIndex !== undefined && swarm === undefined) throw new Error('--swarm-index needs --swarm K');
  if (frontier !== undefined && shard === undefined && fromEnv === undefined) throw new Error('--shard-frontier applies to --shard');
  if (shard !== undefined || fromEnv !== undefined) {
    if ((options.strategy ?? 'bfs') !== 'bfs') {
      throw new Error(`--shard splits a breadth-first search: --strategy ${options.strategy} cannot be sharded (use --swarm for diversified bounded runs)`);
    }
    if (stateHashes !== undefined && options.storage === 'bitstate') {
      throw new Error('--state-hashes: bitstate storage keeps no hashes of the states it saw (use fingerprint or full)');
    }
    const { index, count } = shard !== undefined ? parseShard(shard) : { count: fromEnv!, ...shardIndexFromEnv(env, fromEnv!) };
    if (count < 1) throw new Error('--shard-from-env needs the number of shards (at least 1)');
    return {
      kind: 'shard',
      spec: { index, count, frontierFactor: frontier ?? DEFAULT_FRONTIER_FACTOR },
      ...(stateHashes !== undefined ? { stateHashes } : {}),
    };
  }
  if (swarm !== undefined) {
    checkSwarm(swarm, swarmIndex);
    for (const name of ['strategy', 'storage', 'por', 'no-por', 'symmetry', 'no-symmetry']) {
      if (opts[name] !== undefined) throw new Error(`--${name} does not apply to --swarm: each member picks its own search order, storage and reductions`);
    }
    if (workers > 1) throw new Error('--swarm members run in one thread each: run more members instead of --workers');
    if (stateHashes !== undefined) throw new Error('--state-hashes does not apply to --swarm (its members use bitstate storage, which keeps no hashes)');
    return { kind: 'swarm', count: swarm, ...(swarmIndex !== undefined ? { index: swarmIndex } : {}) };
  }
  if (stateHashes !== undefined) throw new Error("--state-hashes applies to --shard (the union of the shards' states)");
  return { kind: 'none' };
}

/** One shard: the search, the local lock-order inversions, and the part for merge. */
async function shardPart(
  x: FdraceExports,
  c: Compiled,
  limits: Limits,
  options: SearchOptions,
  workers: number,
  file: string,
  plan: Extract<PartPlan, { kind: 'shard' }>,
): Promise<PartResult> {
  const run = await shardSearch(x, c, limits, options, workers, file, plan.spec);
  const r = withLockOrder(run.result, run.x, c);
  const question = questionHash(questionOf(c, options, limits, { shards: plan.spec.count, frontierFactor: plan.spec.frontierFactor }));
  const part = { ...partOf(run.x, c, question), shard: run.shard };
  if (plan.stateHashes !== undefined) part.stateHashes = { file: plan.stateHashes, count: writeStateHashes(run.x, plan.stateHashes) };
  return { ...r, part };
}

/** One swarm member: never a pass. */
function swarmMember(x: FdraceExports, c: Compiled, limits: Limits, base: SearchOptions, file: string, count: number, index: number): PartResult {
  const { options, member } = memberOptions(base, { index, count });
  const res = search(x, c, limits, options, file, (r, xs) => withLockOrder(r, xs, c));
  // A bounded member concludes nothing about `sometimes` expectations: the swarm never does.
  const violations = res.violations.filter((v) => !(v.kind === 'sometimes' && v.path === '' && / no reachable state satisfies it$/.test(v.message)));
  const notProof = `swarm member ${index} of ${count} (${member}): a bounded, diversified search, not a proof`;
  const found = violations.some((v) => v.property !== 'deadlock' && v.property !== 'lock-order')
    ? 'violation'
    : violations.length > 0
      ? 'deadlock'
      : 'incomplete';
  const question = questionHash(
    questionOf(c, { ...base, strategy: undefined }, limits, {
      swarm: count,
      seed: base.seed ?? 0,
      walks: base.walks ?? -1,
      walkDepth: base.walkDepth ?? -1,
    }),
  );
  const part = { ...partOf(x, c, question), swarm: { index, count, member } };
  return {
    ...res,
    verdict: found,
    incomplete: res.incomplete ? `${notProof}; ${res.incomplete}` : notProof,
    violations,
    part,
  };
}

/** Run one part (or a whole swarm, merged). `onPart` sees each swarm member's result as it finishes. */
export async function runPart(
  x: FdraceExports,
  c: Compiled,
  limits: Limits,
  options: SearchOptions,
  workers: number,
  file: string,
  plan: Exclude<PartPlan, { kind: 'none' }>,
  onPart?: (r: PartResult) => void,
): Promise<PartResult | Merged> {
  if (plan.kind === 'shard') return shardPart(x, c, limits, options, workers, file, plan);
  if (plan.index !== undefined) return swarmMember(x, c, limits, options, file, plan.count, plan.index);
  const parts: PartResult[] = [];
  for (let j = 0; j < plan.count; j++) {
    const r = swarmMember(x, c, limits, options, file, plan.count, j);
    onPart?.(r);
    parts.push(r);
    if (limits.interrupted?.()) break;
  }
  return mergeParts(parts);
}

export function isMerged(r: SearchResult | Merged): r is Merged {
  return 'merged' in r;
}
