// Hostile input: traces and links built to inject markup, break the validator or exhaust memory, and the CLI's
// refusal of a malformed TRACE.json.

import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { FIX, TMP, mapStrings, readTrace } from './fixtures.ts';
import { ROOT, cli } from './harness.ts';
import { noScriptRan, shot, test, text, uploadTrace, waitForTrace } from './page.ts';

const PAYLOAD = '<img src=x onerror="window.__pwned=1">';
const PAYLOAD2 = '<script>window.__pwned=2</script>';

test('hostile traces: markup in names stays text, bad formats and huge arrays are refused with a message', async ({ page, view }) => {
  const p = await page();
  const dialogs: string[] = [];
  p.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  await p.goto(view.url);
  await p.waitForSelector('#landing:not([hidden])');

  // 1. A well-formed trace whose every name and text carries markup.
  const t = mapStrings(readTrace(FIX.f16), (s) => s.replaceAll('OLD', PAYLOAD).replaceAll('replace(', `${PAYLOAD2}replace(`));
  t.steps[0]!.source = 'javascript:window.__pwned=3';
  t.title = `${PAYLOAD2}${t.title}`;
  t.violation = { ...t.violation!, message: `${t.violation!.message} ${PAYLOAD}` };
  await uploadTrace(p, 'xss.json', JSON.stringify(t));
  await waitForTrace(p, t.steps.length);
  await noScriptRan(p);
  assert.ok((await text(p, 'table.lanes')).includes(PAYLOAD2), 'markup is shown as text');
  assert.ok((await text(p, '#state-body')).includes(PAYLOAD));
  assert.ok((await text(p, '#explain')).includes(PAYLOAD));
  assert.ok((await text(p, '#trace-title')).startsWith(PAYLOAD2));
  assert.equal(await p.locator('table.lanes tr[data-step="1"] a.src').count(), 0, 'a non-path source gets no link');
  await shot(p, 'hostile-markup-as-text.png');

  // 2. Refused before use, each with a message naming the problem.
  const base = readTrace(FIX.f16);
  const huge = { ...base, steps: Array.from({ length: 60_000 }, () => ({})) };
  const wide = structuredClone(base);
  wide.initial.processes[0]!.fds = Array.from({ length: 5000 }, (_, i) => ({ fd: i, file: 'OLD' }));
  // The viewer's message is the validator's: FILE:LINE:COL (of the offending value, found here by searching the
  // compact JSON for its key), the JSON path, what was expected.
  const col = (content: string, key: string): number => content.indexOf(key) + key.length + 1;
  const refused: [string, string, (content: string) => string][] = [
    [
      'format2.json',
      JSON.stringify({ ...base, format: 2 }),
      () => 'format2.json:1:11: format: unsupported trace format 2 (this viewer reads format 1, written by fdrace check --trace-out)',
    ],
    ['garbage.json', 'this is not json <script>window.__pwned=4</script>', () => 'garbage.json:1:1: not JSON: unexpected character'],
    ['array.json', '[1,2,3]', () => 'array.json:1:1: the trace: expected a JSON object (Trace JSON, format 1), got an array of 3'],
    ['huge.json', JSON.stringify(huge), (c) => `huge.json:1:${col(c, '"steps":')}: steps: 60000 entries (at most 50000)`],
    ['wide.json', JSON.stringify(wide), (c) => `wide.json:1:${col(c, '"fds":')}: initial.processes[0].fds: 5000 entries (at most 1024)`],
    [
      'type.json',
      JSON.stringify({ ...base, steps: [{ ...base.steps[0], state: { ...base.steps[0]!.state, files: 'x' } }] }),
      (c) => `type.json:1:${c.indexOf('"files":"x"') + '"files":'.length + 1}: steps[0].state.files: expected an array, got a string of 1 character`,
    ],
    [
      'longname.json',
      JSON.stringify({ ...base, scenario: 'A'.repeat(5000) }),
      (c) => `longname.json:1:${col(c, '"scenario":')}: scenario: string longer than 200 characters`,
    ],
    [
      'badpath.json',
      JSON.stringify({ ...base, path: '0;alert(1)' }),
      (c) => `badpath.json:1:${col(c, '"path":')}: path: a path is thread numbers separated by dots, with ! and *COUNT`,
    ],
    [
      'pretty.json',
      JSON.stringify({ ...base, steps: [{ ...base.steps[0], step: 2 }] }, null, 1),
      (c) => {
        const before = c.slice(0, c.indexOf('"step": 2'));
        return `pretty.json:${before.split('\n').length}:${before.length - before.lastIndexOf('\n') + '"step": '.length}: steps[0].step: expected step 1, got 2`;
      },
    ],
  ];
  for (const [name, content, want] of refused) {
    await uploadTrace(p, name, content);
    await p.waitForFunction((n) => (document.getElementById('message')?.textContent ?? '').startsWith(n), name);
    const msg = await text(p, '#message');
    assert.equal(msg.split('\n')[0], want(content));
    await noScriptRan(p);
  }
  await shot(p, 'hostile-refused.png');
  assert.deepEqual(dialogs, []);
});

test('hostile links: damaged, oversized, inflating and non-http URLs get a message, never a replay of junk', async ({ page, view }) => {
  const p = await page();
  const b64 = (buf: Buffer): string => buf.toString('base64url');
  const four = b64(deflateRawSync(readFileSync(join(ROOT, 'test/web/fixtures/four-threads.fdr'))));
  const cases: [string, RegExp][] = [
    ['#variant=v6.2&path=0&src=!!!', /not base64url text/],
    [`#variant=v6.2&path=0&src=${b64(Buffer.from('definitely not deflate data, just bytes'))}`, /not valid compressed data/],
    [`#variant=v6.2&path=0&src=${b64(deflateRawSync(Buffer.alloc(8 * 1024 * 1024, 0x61)))}`, /expands to more than 1048576 bytes/],
    [`#variant=v6.2&path=0&src=${b64(deflateRawSync(Buffer.from(`scenario x\n${PAYLOAD}\n`)))}`, /the link's scenario does not parse: 2:1: /],
    [`#variant=v9.9&path=0&src=${four}`, /the link's variant: unknown variant 'v9\.9'/],
    [`#variant=v6.2&path=0*999&src=${four}`, /the link's path does not fit the scenario: /],
    [`#variant=v6.2&path=9.0&src=${four}`, /the link's path: part 1 names thread 9, but the scenario has 4 threads/],
    ['#variant=v6.2&path=0', /the link is incomplete: it needs src, variant and path/],
    ['?trace=javascript:window.__pwned=5', /\?trace= must be an http\(s\) URL, not javascript:/],
    ['?trace=/no-such-trace.json', /HTTP 404/],
  ];
  for (const [suffix, want] of cases) {
    await p.goto('about:blank');
    await p.goto(`${view.url}${suffix}`);
    await p.waitForFunction(() => (document.getElementById('message')?.textContent ?? '') !== '', null, { timeout: 20_000 });
    const msg = await text(p, '#message');
    assert.match(msg, want, `${suffix.slice(0, 60)}: ${msg}`);
    assert.ok(await p.isHidden('#viewer'), 'no trace is shown');
    await noScriptRan(p);
  }
});

test('fdrace view: a malformed TRACE.json is a one-line error and exit 2', async () => {
  const many = JSON.stringify({ ...readTrace(FIX.f16), steps: 'many' }, null, 1);
  const cases: [string, string][] = [
    [
      '{"format": 2, "tool": "fdrace"}',
      ':1:12: not a valid trace: format: unsupported trace format 2 (this viewer reads format 1, written by fdrace check --trace-out)',
    ],
    ['{not json', ':1:2: not a valid trace: not JSON: unexpected character'],
    [
      many,
      `:${many.split('\n').findIndex((l) => l.startsWith(' "steps":')) + 1}:11: not a valid trace: steps: expected an array, got a string of 4 characters`,
    ],
  ];
  for (const [i, [content, want]] of cases.entries()) {
    const f = join(TMP, `bad-${i}.json`);
    writeFileSync(f, content);
    const r = cli(['view', f, '--no-open', '--port', '0']);
    assert.equal(r.status, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.equal(r.stderr, `fdrace: ${f}${want}\n`);
  }
  const r = cli(['view', join(TMP, 'missing.json'), '--no-open']);
  assert.equal(r.status, 2);
  assert.match(r.stderr, /missing\.json: cannot read the file \(ENOENT\)/);
});
