// "Did you mean ...?" for misspelt names: the closest known name by edit distance, when it is close enough to be
// a plausible typo (at most a third of the name's length: none for names shorter than three characters).

function distance(a: string, b: string, cap: number): number {
  if (Math.abs(a.length - b.length) > cap) return cap + 1;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    let best = i;
    for (let j = 1; j <= b.length; j++) {
      const v = Math.min(prev[j]! + 1, cur[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
      cur.push(v);
      if (v < best) best = v;
    }
    if (best > cap) return cap + 1;
    prev = cur;
  }
  return prev[b.length]!;
}

/** The known name closest to `name`, if it is a plausible misspelling of it. */
export function closest(name: string, known: Iterable<string>): string | undefined {
  const cap = Math.floor(name.length / 3);
  if (cap === 0) return undefined;
  let best: string | undefined;
  let bestD = cap + 1;
  for (const k of known) {
    if (k === name) continue;
    const d = distance(name.toLowerCase(), k.toLowerCase(), cap);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  return best;
}

/** " (did you mean 'x'?)" or "". */
export function didYouMean(name: string, known: Iterable<string>): string {
  const c = closest(name, known);
  return c === undefined ? '' : ` (did you mean '${c}'?)`;
}
