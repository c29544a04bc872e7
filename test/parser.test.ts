import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { BUILTIN_PROPERTIES, ERRNO, EVENT_BITS, eventsToByte, parseScenario, type ParseOptions } from '../checker/scenario/parse.ts';
import { ScenarioError, type Scenario } from '../checker/scenario/types.ts';

// The example is taken from the language doc so the two cannot drift apart.
const DOC = readFileSync(new URL('../docs/scenario-language.md', import.meta.url), 'utf8');
const EXAMPLE = /```\n(scenario [\s\S]*?)```/.exec(DOC)?.[1] ?? '';

const src = (...lines: string[]): string => `${lines.join('\n')}\n`;

/** The example with one piece of text replaced (the piece must be there, or the test is meaningless). */
function mutate(from: string, to: string): string {
  if (!EXAMPLE.includes(from)) throw new Error(`example lacks ${JSON.stringify(from)}`);
  return EXAMPLE.replace(from, to);
}

/** `line:col: message` of the error parseScenario raises, or 'ok'. */
function errorOf(source: string, opts?: ParseOptions): string {
  try {
    parseScenario(source, 'x.fdr', opts);
    return 'ok';
  } catch (e) {
    if (!(e instanceof ScenarioError)) throw e;
    return `${e.loc.line}:${e.loc.col}: ${e.message}`;
  }
}

const L = (line: number, col: number) => ({ line, col });

describe('the doc example', () => {
  it('parses to the exact Scenario', () => {
    const expected: Scenario = {
      name: 'F07-replace-vs-add',
      title: 'replace fd 3 while another thread closes fd 4 and adds it to an epoll',
      doc: ['docs/model.md §F.7. fds 3 and 4 refer to the same socket.'],
      source: EXAMPLE,
      files: [
        { name: 'OLD', kind: 'socket', loc: L(5, 1) },
        { name: 'NEW', kind: 'socket', loc: L(6, 1) },
        { name: 'E', kind: 'epoll', loc: L(7, 1) },
      ],
      processes: [
        {
          name: 'P',
          fds: [
            { fd: 3, file: 'OLD', loc: L(10, 3) },
            { fd: 4, file: 'OLD', loc: L(11, 3) },
            { fd: 5, file: 'E', loc: L(12, 3) },
          ],
          loc: L(9, 1),
        },
        { name: 'S', fds: [{ fd: 3, file: 'NEW', loc: L(14, 3) }], loc: L(13, 1) },
      ],
      watches: [{ epoll: 'E', file: 'OLD', fd: 3, events: ['IN'], data: 3, loc: L(16, 1) }],
      threads: [
        { name: 'T', process: 'P', ops: [{ kind: 'replace', fd: 3, file: 'NEW', loc: L(19, 3) }], loc: L(18, 1) },
        { name: 'T2', process: 'P', ops: [{ kind: 'close', fd: 4, loc: L(21, 3) }], loc: L(20, 1) },
        {
          name: 'T3',
          process: 'P',
          ops: [{ kind: 'epoll_ctl', epfd: 5, op: 'ADD', fd: 4, events: ['IN'], data: 4, loc: L(23, 3) }],
          loc: L(22, 1),
        },
      ],
      expectations: [
        {
          label: 'follows',
          modality: 'at-end',
          expr: { kind: 'not', expr: { kind: 'has', epoll: 'E', file: 'OLD', fd: 3, loc: L(25, 26) }, loc: L(25, 24) },
          text: '!(E has (OLD, 3))',
          loc: L(25, 1),
        },
      ],
      checks: [{ name: 'refcount', loc: L(26, 1) }],
      variants: ['v6.2', 'rfc-v4'],
      results: [
        { variant: 'v6.2', verdict: 'violation', properties: ['follows'], loc: L(29, 1) },
        { variant: 'rfc-v4', verdict: 'pass', properties: [], loc: L(30, 1) },
      ],
      options: { faults: 0, maxUserWatches: 64 },
    };
    expect(parseScenario(EXAMPLE)).toStrictEqual(expected);
  });

  it('survives a JSON round trip unchanged', () => {
    const s = parseScenario(EXAMPLE);
    expect(JSON.parse(JSON.stringify(s))).toStrictEqual(s);
    const t = parseScenario(FULL);
    expect(JSON.parse(JSON.stringify(t))).toStrictEqual(t);
  });

  it('accepts its variants when the caller lists them', () => {
    expect(errorOf(EXAMPLE, { variants: ['v6.2', 'rfc-v4', 'rfc-v5'] })).toBe('ok');
  });
});

// Exercises every statement, operation and atom once.
const FULL = src(
  '# header comment before scenario',
  'scenario all.features-1',
  '#no space after the hash   ',
  'option max_fds 16',
  'option faults 0x2',
  'option max_user_watches 3',
  'file A socket  # trailing comment',
  'file R regular',
  'epoll E',
  'epoll E2',
  '# not doc: after the first declaration',
  'process P',
  '',
  '  # a comment inside the block',
  '\tfd 0..2 = A',
  '  fd 7 = E',
  'process Q shares P',
  'watch E (A, 1) IN|ET|ONESHOT data=0x10',
  'watch E2 (E, 7)',
  'watch E (A, 2) OUT',
  'thread T in P',
  '  close(0);',
  '  dup(1)',
  '  dup2(1, 9)',
  '  replace(2, R)',
  '  epoll_ctl(7, ADD, 1)',
  '  epoll_ctl(7, MOD, 1, OUT|HUP|ERR, data=5)',
  '  epoll_ctl(7, DEL, 1)',
  '  fget(2)',
  '  fput()',
  'thread U in Q',
  '  epoll_ctl(7, ADD, 2, data=200)',
  'title "a \\"quoted\\" # not a comment \\\\"',
  'expect always P.fd[0..2] != none || A.ref >= 1 && !T.done',
  'expect mine: never (E.count(A, 1) > 1)',
  'expect sometimes T.ret[3] == -EBADF',
  'expect at end U.ret < 0 && R.state == freed && Q.fd[5] == none',
  'check stale-registration',
  'check no-uaf',
  'variants base rfc-v4',
  'result base violation(e1, no-uaf)',
  'result rfc-v4 deadlock',
);

describe('a scenario using every construct', () => {
  const s = parseScenario(FULL, 'full.fdr');

  it('reads the header, title and options', () => {
    expect(s.name).toBe('all.features-1');
    expect(s.title).toBe('a "quoted" # not a comment \\');
    expect(s.doc).toEqual(['header comment before scenario', 'no space after the hash']);
    expect(s.options).toStrictEqual({ faults: 2, maxUserWatches: 3, maxFds: 16 });
    expect(s.files.map((f) => `${f.name}:${f.kind}`)).toEqual(['A:socket', 'R:regular', 'E:epoll', 'E2:epoll']);
  });

  it('expands fd ranges and keeps shares without a table', () => {
    expect(s.processes[0]?.fds).toStrictEqual([
      { fd: 0, file: 'A', loc: L(15, 2) },
      { fd: 1, file: 'A', loc: L(15, 2) },
      { fd: 2, file: 'A', loc: L(15, 2) },
      { fd: 7, file: 'E', loc: L(16, 3) },
    ]);
    expect(s.processes[1]).toStrictEqual({ name: 'Q', shares: 'P', fds: [], loc: L(17, 1) });
  });

  it('applies watch defaults', () => {
    expect(s.watches.map(({ loc: _, ...w }) => w)).toStrictEqual([
      { epoll: 'E', file: 'A', fd: 1, events: ['IN', 'ET', 'ONESHOT'], data: 16 },
      { epoll: 'E2', file: 'E', fd: 7, events: ['IN'], data: 7 },
      { epoll: 'E', file: 'A', fd: 2, events: ['OUT'], data: 2 },
    ]);
  });

  it('reads every operation, with epoll_ctl defaults', () => {
    expect(s.threads[0]?.ops.map(({ loc: _, ...o }) => o)).toStrictEqual([
      { kind: 'close', fd: 0 },
      { kind: 'dup', fd: 1 },
      { kind: 'dup2', oldfd: 1, newfd: 9 },
      { kind: 'replace', fd: 2, file: 'R' },
      { kind: 'epoll_ctl', epfd: 7, op: 'ADD', fd: 1, events: ['IN'], data: 1 },
      { kind: 'epoll_ctl', epfd: 7, op: 'MOD', fd: 1, events: ['OUT', 'HUP', 'ERR'], data: 5 },
      { kind: 'epoll_ctl', epfd: 7, op: 'DEL', fd: 1, events: [], data: 1 },
      { kind: 'fget', fd: 2 },
      { kind: 'fput' },
    ]);
    expect(s.threads[1]?.ops[0]).toMatchObject({ events: ['IN'], data: 200 });
  });

  it('gives && precedence over ||, locates operators, and labels by position', () => {
    const [e1, e2, e3, e4] = s.expectations;
    expect(e1?.label).toBe('e1');
    expect(e1?.text).toBe('P.fd[0..2] != none || A.ref >= 1 && !T.done');
    expect(e1?.expr).toStrictEqual({
      kind: 'or',
      left: { kind: 'fd', process: 'P', lo: 0, hi: 2, eq: false, target: { none: true }, loc: L(34, 15) },
      right: {
        kind: 'and',
        left: { kind: 'ref', file: 'A', cmp: '>=', value: 1, loc: L(34, 37) },
        right: { kind: 'not', expr: { kind: 'done', thread: 'T', loc: L(34, 52) }, loc: L(34, 51) },
        loc: L(34, 48),
      },
      loc: L(34, 34),
    });
    expect(e2).toMatchObject({ label: 'mine', modality: 'never', text: '(E.count(A, 1) > 1)' });
    expect(e2?.expr).toMatchObject({ kind: 'count', epoll: 'E', file: 'A', fd: 1, cmp: '>', value: 1 });
    expect(e3).toMatchObject({ label: 'e3', modality: 'sometimes' });
    expect(e3?.expr).toMatchObject({ kind: 'ret', thread: 'T', op: 3, cmp: '==', value: -9 });
    expect(e4?.modality).toBe('at-end');
    const and = e4?.expr;
    expect(and).toMatchObject({
      kind: 'and',
      left: {
        kind: 'and',
        left: { kind: 'ret', thread: 'U', op: 1, cmp: '<', value: 0 },
        right: { kind: 'life', file: 'R', eq: true, state: 'freed' },
      },
      right: { kind: 'fd', process: 'Q', lo: 5, hi: 5, eq: true, target: { none: true } },
    });
  });

  it('reads checks, variants and results', () => {
    expect(s.checks.map((c) => c.name)).toEqual(['stale-registration', 'no-uaf']);
    expect(s.variants).toEqual(['base', 'rfc-v4']);
    expect(s.results.map(({ loc: _, ...r }) => r)).toStrictEqual([
      { variant: 'base', verdict: 'violation', properties: ['e1', 'no-uaf'] },
      { variant: 'rfc-v4', verdict: 'deadlock', properties: [] },
    ]);
  });

  it('reads CRLF files the same way', () => {
    const crlf = parseScenario(FULL.replaceAll('\n', '\r\n'), 'full.fdr');
    expect({ ...crlf, source: '' }).toStrictEqual({ ...s, source: '' });
  });
});

describe('constants', () => {
  it('has the errno, event and property tables', () => {
    expect(ERRNO).toMatchObject({ EPERM: 1, EBADF: 9, EAGAIN: 11, EEXIST: 17, EINVAL: 22, ELOOP: 40, EINPROGRESS: 115 });
    expect(Object.keys(ERRNO)).toHaveLength(17); // ENXIO too: the model returns it (an io_uring fixed-file index beyond the table)
    expect(EVENT_BITS).toStrictEqual({ IN: 1, OUT: 4, ERR: 8, HUP: 16, ET: 0x80000000, ONESHOT: 0x40000000 });
    expect(eventsToByte(['IN', 'OUT', 'ERR', 'HUP', 'ET', 'ONESHOT'])).toBe(63);
    expect(eventsToByte(['ET', 'IN'])).toBe(17);
    expect(eventsToByte([])).toBe(0);
    expect(BUILTIN_PROPERTIES).toEqual([
      'refcount',
      'no-uaf',
      'watchers',
      'locks',
      'deadlock',
      'lock-order',
      'livelock',
      'check-list',
      'stale-registration',
      'fd-local-replace',
      'registration-follows-fd',
      'no-cross-process',
      'no-stale-io-uring',
      'free-while-locked',
      'linearizable',
    ]);
  });

  it('formats errors as FILE:LINE:COL: error: MESSAGE', () => {
    try {
      parseScenario('scenario x\nfile', 'dir/x.fdr');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ScenarioError);
      expect((e as ScenarioError).format()).toBe("dir/x.fdr:2:5: error: expected a file name after 'file', found end of line");
    }
  });
});

// Minimal valid scenario the error cases below extend.
const MIN = ['scenario m', 'file A socket', 'epoll E', 'process P', '  fd 3 = A', '  fd 4 = E', 'thread T in P', '  close(3)'];
const TAIL = ['variants v', 'result v pass'];
const withMin = (...extra: string[]) => src(...MIN, ...extra, ...TAIL);

const V = { variants: ['v6.2', 'rfc-v4'] };

// [what, source, expected "line:col: message", options]
const ERRORS: [string, string, string, ParseOptions?][] = [
  // lexical
  ['unexpected character', mutate('  fd 4 = OLD', '  fd 4 = OLD @'), "11:14: unexpected character '@'"],
  ['control character', mutate('  fd 4 = OLD', '  fd 4 = OLD \u000b'), '11:14: unexpected character U+000B'],
  ['single &', mutate('!(E has (OLD, 3))', 'T.done & T2.done'), "25:31: unexpected character '&' (did you mean '&&'?)"],
  ['malformed number', mutate('  fd 4 = OLD', '  fd 4abc = OLD'), "11:6: malformed number '4abc' (expected decimal digits or 0x and hex digits)"],
  ['bare 0x', mutate('  fd 4 = OLD', '  fd 0x = OLD'), "11:6: malformed number '0x' (expected decimal digits or 0x and hex digits)"],
  ['unterminated string', mutate('title "replace', 'title "x\ntitle "replace'), '2:7: unterminated string (a string must end on the line it starts)'],
  ['unknown escape', mutate('title "replace', 'title "re\\place'), "2:10: unknown escape '\\p' in string (only \\\" and \\\\ are allowed)"],
  // statement structure
  ['empty input', '', "1:1: empty scenario: expected 'scenario NAME'"],
  ['scenario not first', mutate('scenario F07-replace-vs-add', 'file X socket'), "1:1: expected 'scenario NAME' as the first statement, found 'file'"],
  ['scenario twice', mutate('check refcount', 'scenario again'), '26:1: the scenario is already named at line 1'],
  ['missing scenario name', 'scenario\n', "1:9: expected a scenario name after 'scenario', found end of line"],
  ['title twice', mutate('check refcount', 'title "t"'), '26:1: the title is already set at line 2'],
  [
    'title without string',
    mutate('title "replace fd 3 while another thread closes fd 4 and adds it to an epoll"', 'title replace'),
    "2:7: expected a string after 'title' (title \"...\"), found 'replace'",
  ],
  [
    'unknown statement',
    mutate('check refcount', 'chekc refcount'),
    "26:1: unknown statement 'chekc' (expected scenario, title, file, epoll, process, watch, thread, expect, check, variants, result or option)",
  ],
  [
    'statement is not a name',
    mutate('check refcount', '(check refcount)'),
    "26:1: expected a statement (scenario, title, file, epoll, process, watch, thread, expect, check, variants, result, option), found '('",
  ],
  ['fd line at top level', mutate('check refcount', 'fd 3 = OLD'), "26:1: 'fd' lines belong indented under a 'process' header"],
  ['operation at top level', mutate('check refcount', 'close(3)'), "26:1: operation 'close' belongs indented under a 'thread' header"],
  [
    'stray indentation',
    mutate('check refcount', '  check refcount'),
    "26:3: unexpected indentation: only the lines under a 'process' or 'thread' header are indented",
  ],
  ['trailing garbage', mutate('epoll E', 'epoll E F'), "7:9: expected end of line after the epoll name, found 'F'"],
  // names
  ['duplicate name', mutate('file NEW socket', 'file OLD socket'), "6:6: duplicate name 'OLD': already declared as a socket file at line 5"],
  ['duplicate across kinds', mutate('thread T2 in P', 'thread P in P'), "20:8: duplicate name 'P': already declared as a process at line 9"],
  ['reserved none', mutate('file NEW socket', 'file none socket'), "6:6: 'none' is reserved (it means an empty fd slot); choose another name"],
  ['unknown file', mutate('replace(3, NEW)', 'replace(3, NEWW)'), "19:14: unknown file 'NEWW' (did you mean 'NEW'?) (declared: OLD, NEW, E)"],
  ['wrong kind', mutate('!(E has (OLD, 3))', 'P.ref == 1'), "25:24: 'P' is a process, not a file (declared files: OLD, NEW, E)"],
  [
    'used before declaration',
    `${mutate('file NEW socket\n', '')}file NEW socket\n`,
    "13:10: file 'NEW' is used before its declaration at line 30; declare it earlier",
  ],
  ['bad file kind', mutate('file NEW socket', 'file NEW pipe'), "6:10: expected 'socket' or 'regular' after the file name, found 'pipe'"],
  // processes
  ['duplicate fd', mutate('  fd 4 = OLD', '  fd 3 = OLD'), '11:6: fd 3 is declared twice in process P (first at line 10)'],
  ['duplicate fd in a range', mutate('  fd 4 = OLD', '  fd 1..3 = OLD'), '11:9: fd 3 is declared twice in process P (first at line 10)'],
  ['empty fd range', mutate('  fd 4 = OLD', '  fd 4..2 = OLD'), '11:9: empty fd range 4..2 (the first fd must not exceed the last)'],
  ['fd out of range', mutate('  fd 4 = OLD', '  fd 256 = OLD'), '11:6: fd 256 is out of range (0..255)'],
  ['huge number', mutate('  fd 4 = OLD', '  fd 99999999999999999999999999 = OLD'), '11:6: fd 99999999999999999999999999 is out of range (0..255)'],
  [
    'fd not below max_fds',
    src('scenario m', 'option max_fds 8', 'file A socket', 'process P', '  fd 6..9 = A'),
    '5:9: fd 8 is not below max_fds 8 (set at line 2)',
  ],
  ['max_fds below a declared fd', mutate('check refcount', 'option max_fds 5'), '26:16: max_fds 5 is too small: process P declares fd 5 at line 12'],
  ['missing =', mutate('  fd 4 = OLD', '  fd 4 OLD'), "11:8: expected '=' after the fd number, found 'OLD'"],
  ['not an fd line', mutate('  fd 4 = OLD', '  close(4)'), "11:3: expected 'fd N = FILE' in the block of process 'P', found 'close'"],
  ['shares unknown', mutate('process S\n  fd 3 = NEW', 'process S shares Q'), "13:18: unknown process 'Q' (declared: P)"],
  ['shares itself', mutate('process S\n  fd 3 = NEW', 'process S shares S'), "13:18: process 'S' cannot share its own table"],
  [
    'shares a sharer',
    mutate('process S\n  fd 3 = NEW', 'process S shares P\nprocess S2 shares S'),
    "14:19: 'S' itself shares the table of 'P'; write 'shares P'",
  ],
  ['sharing process with a block', mutate('process S\n', 'process S shares P\n'), "14:3: process 'S' shares the table of 'P' and cannot have fd lines"],
  // watches
  ['watch on a non-epoll', mutate('watch E (OLD, 3)', 'watch OLD (E, 3)'), "16:7: 'OLD' is a socket file, not an epoll (declared epolls: E)"],
  ['epoll watching itself', mutate('watch E (OLD, 3)', 'watch E (E, 3)'), "16:10: epoll 'E' cannot watch itself (epoll_ctl gives EINVAL)"],
  [
    'watch of a regular file',
    mutate('file NEW socket', 'file NEW regular').replace('watch E (OLD, 3)', 'watch E (NEW, 3)'),
    "16:10: 'NEW' is a regular file and cannot be watched (epoll_ctl ADD gives EPERM)",
  ],
  ['duplicate watch key', mutate('IN data=3', 'IN data=3\nwatch E (OLD, 3) OUT'), '17:10: epoll E already watches (OLD, 3) (first at line 16)'],
  ['unknown event', mutate('IN data=3', 'IN|INN data=3'), "16:21: unknown event 'INN' (expected IN, OUT, ERR, HUP, ET or ONESHOT)"],
  ['repeated event', mutate('IN data=3', 'IN|ET|IN data=3'), '16:24: event IN is given twice'],
  ['data out of range', mutate('IN data=3', 'IN data=256'), '16:26: data 256 is out of range (0..255)'],
  ['junk after watch key', mutate('IN data=3', '5'), "16:18: expected events, 'data=V' or end of line after (OLD, 3), found '5'"],
  // threads and operations
  ['thread without in', mutate('thread T3 in P', 'thread T3 P'), "22:11: expected 'in' after the thread name, found 'P'"],
  [
    'thread without operations',
    mutate('thread T3 in P\n  epoll_ctl(5, ADD, 4, IN)', 'thread T3 in P'),
    '22:8: thread T3 has no operations (expected 1 to 32 indented operation lines under it)',
  ],
  ['too many operations', withMin(...Array.from({ length: 32 }, () => '  dup(3)')), '40:3: thread T has more than 32 operations'],
  [
    'unknown operation',
    mutate('close(4)', 'clse(4)'),
    "21:3: unknown operation 'clse' (expected close, dup, dup2, replace, epoll_ctl, fget, fput, epoll_wait, epoll_create, fork, pidfd_getfd, seccomp_trap, recv, addfd, send, kcmp, io_uring_register, io_uring_unregister, io_uring_io or expand_fdtable)",
  ],
  ['missing comma', mutate('replace(3, NEW)', 'replace(3)'), "19:12: expected ',' after the fd number, found ')'"],
  ['dup2 missing comma', mutate('close(4)', 'dup2(4 5)'), "21:10: expected ',' after the old fd number, found '5'"],
  ['fput with an argument', mutate('close(4)', 'fget(4)\n  fput(4)'), "22:8: expected ')' after 'fput(' (fput takes no arguments), found '4'"],
  ['fput without fget', mutate('close(4)', 'fget(4)\n  fput()\n  fput()'), '23:3: fput() in thread T2 has no earlier fget(N) whose reference is still held'],
  [
    'two operations on a line',
    mutate('close(4)', 'close(4); close(5)'),
    "21:13: expected end of line after the operation (one operation per line), found 'close'",
  ],
  ['op fd out of range', mutate('close(4)', 'close(0x100)'), '21:9: fd 0x100 is out of range (0..255)'],
  ['bad epoll_ctl op', mutate('ADD, 4, IN', 'ADDD, 4, IN'), "23:16: expected ADD, DEL or MOD after ',', found 'ADDD'"],
  ['DEL with events', mutate('ADD, 4, IN', 'DEL, 4, IN'), '23:24: epoll_ctl DEL takes no events'],
  ['DEL with data', mutate('ADD, 4, IN', 'DEL, 4, data=1'), '23:24: epoll_ctl DEL takes no data'],
  ['events after data', mutate('ADD, 4, IN', 'ADD, 4, data=1, IN'), "23:30: expected ')' after the data, found ','"],
  ['events not joined by |', mutate('ADD, 4, IN', 'ADD, 4, IN, OUT'), "23:28: expected 'data=V' after ',', found 'OUT' (join events with '|')"],
  ['missing ) after target', mutate('ADD, 4, IN)', 'ADD, 4 IN)'), "23:23: expected ',' or ')' after the target fd number, found 'IN'"],
  // expectations
  ['bad modality', mutate('at end', 'at start'), "25:20: expected 'end' after 'at', found 'start'"],
  ['missing modality', mutate('at end !', '!'), "25:17: expected always, never, sometimes, 'at end' or 'when T.op[K] returns:', found '!'"],
  ['label is a property', mutate('expect follows:', 'expect locks:'), "25:8: label 'locks' is the name of a built-in property; choose another"],
  ['duplicate label', mutate('check refcount', 'expect follows: always T.done'), "26:8: expectation label 'follows' is used twice (first at line 25)"],
  [
    'default label taken',
    mutate('expect follows:', 'expect e2:').replace('check refcount', 'expect always T.done'),
    "26:1: the default label 'e2' of this expectation is already used at line 25; give it a label",
  ],
  ['missing condition', mutate('!(E has (OLD, 3))', ''), '25:24: expected a condition such as P.fd[3] == F, E has (F, 3) or T.done, found end of line'],
  ['unclosed paren', mutate('!(E has (OLD, 3))', '!(E has (OLD, 3)'), "25:40: expected ')' to close the '(' at column 25, found end of line"],
  ['extra paren', mutate('!(E has (OLD, 3))', '!(E has (OLD, 3)))'), "25:41: expected end of line after the expression, found ')'"],
  [
    'nesting too deep',
    mutate('!(E has (OLD, 3))', `${'('.repeat(65)}T.done${')'.repeat(65)}`),
    "25:88: expression nested too deeply (more than 64 levels of '(' and '!')",
  ],
  [
    '! nesting too deep',
    mutate('!(E has (OLD, 3))', `${'!'.repeat(100000)}T.done`),
    "25:88: expression nested too deeply (more than 64 levels of '(' and '!')",
  ],
  ['member missing', mutate('!(E has (OLD, 3))', 'E OLD'), "25:26: expected '.' or 'has' after 'E', found 'OLD'"],
  [
    'unknown member',
    mutate('!(E has (OLD, 3))', 'OLD.foo'),
    "25:28: unknown property '.foo' (expected .fd[N], .count(F, N), .ref, .state, .ret, .done, .op[K].ret, .mtx, .f_lock, .file_lock, .events(F, N), .data(F, N), .refcount, .ep_state or .item(F, N).state)",
  ],
  ['ordering on a slot', mutate('!(E has (OLD, 3))', 'P.fd[3] < none'), "25:32: expected '==' or '!=' after P.fd[...], found '<'"],
  ['empty slot range', mutate('!(E has (OLD, 3))', 'P.fd[5..3] == none'), '25:32: empty fd range 5..3 (the first fd must not exceed the last)'],
  ['bad state', mutate('!(E has (OLD, 3))', 'OLD.state == alive'), "25:37: expected live, dying, freed or unborn after '==', found 'alive'"],
  ['has on a non-epoll', mutate('!(E has (OLD, 3))', 'OLD has (NEW, 3)'), "25:24: 'OLD' is a socket file, not an epoll (declared epolls: E)"],
  ['unknown thread', mutate('!(E has (OLD, 3))', 'X.done'), "25:24: unknown thread 'X' (declared: T, T2, T3)"],
  ['count value out of range', mutate('!(E has (OLD, 3))', 'E.count(OLD, 3) == 300'), '25:43: count 300 is out of range (0..255)'],
  ['ret index out of range', mutate('!(E has (OLD, 3))', 'T.ret[2] == 0'), '25:30: operation 2 is out of range: thread T has 1 operation (1..1)'],
  ['errno without minus', mutate('!(E has (OLD, 3))', 'T.ret == EBADF'), '25:33: errors are negative return values: write -EBADF'],
  ['unknown errno', mutate('!(E has (OLD, 3))', 'T.ret == -EBAD'), `25:34: unknown errno name 'EBAD' (known: ${Object.keys(ERRNO).join(', ')})`],
  ['ret value out of range', mutate('!(E has (OLD, 3))', 'T.ret != -5000'), '25:34: return value -5000 is out of range (-4095..4095)'],
  ['missing ret value', mutate('!(E has (OLD, 3))', 'T.ret == )'), "25:33: expected a return value (a number or -ENAME such as -EBADF) after '==', found ')'"],
  // checks, variants, results, options
  [
    'unknown property',
    mutate('check refcount', 'check refcnt'),
    `26:7: unknown property 'refcnt' (did you mean 'refcount'?) (built-in: ${BUILTIN_PROPERTIES.join(', ')})`,
  ],
  ['property checked twice', mutate('check refcount', 'check refcount\ncheck refcount'), "27:7: property 'refcount' is already checked at line 26"],
  ['variants empty', mutate('variants v6.2 rfc-v4', 'variants'), "28:9: expected at least one variant name after 'variants', found end of line"],
  [
    'variants with commas',
    mutate('variants v6.2 rfc-v4', 'variants v6.2, rfc-v4'),
    "28:14: expected a variant name (variants are separated by spaces), found ','",
  ],
  ['variant listed twice', mutate('variants v6.2 rfc-v4', 'variants v6.2 v6.2'), "28:15: variant 'v6.2' is listed twice"],
  ['variants twice', mutate('result v6.2', 'variants v6.3\nresult v6.2'), '29:1: the variants are already listed at line 28'],
  [
    'unknown variant',
    mutate('variants v6.2 rfc-v4', 'variants v6.2 rfc-v5'),
    "28:15: unknown variant 'rfc-v5' (did you mean 'rfc-v4'?) (known: v6.2, rfc-v4)",
    V,
  ],
  [
    'result for an unknown variant',
    mutate('result rfc-v4 pass', 'result rfc-v5 pass'),
    "30:8: unknown variant 'rfc-v5' (did you mean 'rfc-v4'?) (known: v6.2, rfc-v4)",
    V,
  ],
  [
    'result for an unlisted variant',
    mutate('result rfc-v4 pass', 'result rfc-v5 pass'),
    "30:8: variant 'rfc-v5' is not in the 'variants' line (listed: v6.2, rfc-v4)",
  ],
  ['result before variants', src(...MIN, 'result v pass', 'variants v'), "9:1: 'result' needs a 'variants' line before it"],
  ['result twice', mutate('result rfc-v4 pass', 'result rfc-v4 pass\nresult rfc-v4 pass'), "31:8: second result for variant 'rfc-v4' (first at line 30)"],
  ['missing result', mutate('result rfc-v4 pass', ''), "28:15: no 'result' line for variant 'rfc-v4'"],
  ['bad verdict', mutate('violation(follows)', 'failed'), "29:13: expected a verdict (pass, violation or deadlock) after the variant name, found 'failed'"],
  ['labels on pass', mutate('rfc-v4 pass', 'rfc-v4 pass(follows)'), "30:19: only 'violation' and 'deadlock' take labels; 'pass' does not"],
  [
    'unknown result label',
    mutate('violation(follows)', 'violation(folows)'),
    `29:23: unknown label 'folows' (did you mean 'follows'?) (expectations: follows; built-in properties: ${BUILTIN_PROPERTIES.join(', ')}, each also as PROPERTY.KIND)`,
  ],
  ['label listed twice', mutate('violation(follows)', 'violation(follows, follows)'), "29:32: label 'follows' is listed twice"],
  ['empty label list', mutate('violation(follows)', 'violation()'), "29:23: expected a label after '(', found ')'"],
  ['labels not separated', mutate('violation(follows)', 'violation(follows no-uaf)'), "29:31: expected ',' or ')' after the label, found 'no'"],
  [
    'unknown option',
    mutate('check refcount', 'option max_fd 4'),
    "26:8: unknown option 'max_fd' (did you mean 'max_fds'?) (expected faults, max_user_watches, max_fds or path_limits)",
  ],
  ['option twice', mutate('check refcount', 'option faults 1\noption faults 2'), '27:8: option faults is already set at line 26'],
  ['faults out of range', mutate('check refcount', 'option faults 9'), '26:15: faults 9 is out of range (0..8)'],
  ['max_user_watches out of range', mutate('check refcount', 'option max_user_watches 256'), '26:25: max_user_watches 256 is out of range (0..255)'],
  ['max_fds zero', mutate('check refcount', 'option max_fds 0'), '26:16: max_fds 0 is out of range (1..64)'],
  ['option without value', mutate('check refcount', 'option faults'), "26:14: expected a number or SITE:N after 'faults', found end of line"],
  // whole file
  [
    'no threads',
    src('scenario m', 'file A socket', 'process P', 'variants v', 'result v pass'),
    "6:1: no threads: a scenario needs at least one 'thread NAME in PROCESS'",
  ],
  ['no variants', src(...MIN), "9:1: no 'variants' line: at least one variant is required"],
];

describe('errors', () => {
  it('covers many distinct kinds', () => {
    expect(new Set(ERRORS.map(([, , m]) => m.replace(/^\d+:\d+: /, ''))).size).toBeGreaterThanOrEqual(100);
  });

  it.each(ERRORS)('%s', (_what, source, expected, opts) => {
    expect(errorOf(source, opts)).toBe(expected);
  });
});

describe('robustness', () => {
  /** Parses, and fails the property on anything but success or a well-formed ScenarioError. */
  function outcome(source: string): string {
    try {
      return JSON.stringify(parseScenario(source, 'f.fdr'));
    } catch (e) {
      if (!(e instanceof ScenarioError)) throw e;
      const { line, col } = e.loc;
      const lineCount = source.split('\n').length;
      if (!(Number.isInteger(line) && line >= 1 && line <= lineCount && Number.isInteger(col) && col >= 1)) {
        throw new Error(`bad location ${line}:${col} for ${JSON.stringify(source)}`);
      }
      return e.format();
    }
  }

  const deterministic = (source: string) => {
    expect(outcome(source)).toBe(outcome(source));
  };

  it('random strings give a Scenario or a ScenarioError, deterministically', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 200 }), deterministic), { numRuns: 500 });
  });

  const TOKENS = [
    ...EXAMPLE.split(/(\s+|[(),=|!])/).filter((t) => t !== ''),
    '\n',
    '\n  ',
    '  ',
    '#',
    '"',
    '..',
    '&&',
    '||',
    '-',
    '.',
    'fd',
    'ret',
    'done',
    '0x1f',
    '999999999999',
    ':',
  ];
  it('random token soup gives a Scenario or a ScenarioError', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...TOKENS), { maxLength: 120 }), (ts) => deterministic(ts.join(''))),
      { numRuns: 500 },
    );
  });

  type Edit = { kind: 'delete' | 'insert' | 'duplicate'; at: number; len: number; text: string };
  const edit = fc.record({
    kind: fc.constantFrom('delete', 'insert', 'duplicate') as fc.Arbitrary<Edit['kind']>,
    at: fc.nat(),
    len: fc.integer({ min: 1, max: 12 }),
    text: fc.string({ unit: 'binary-ascii', minLength: 1, maxLength: 4 }),
  });
  function apply(s: string, e: Edit): string {
    const at = e.at % (s.length + 1);
    if (e.kind === 'delete') return s.slice(0, at) + s.slice(at + e.len);
    if (e.kind === 'insert') return s.slice(0, at) + e.text + s.slice(at);
    return s.slice(0, at) + s.slice(at, at + e.len).repeat(2) + s.slice(at + e.len);
  }
  it('mutations of valid scenarios give a Scenario or a ScenarioError', () => {
    fc.assert(
      fc.property(fc.constantFrom(EXAMPLE, FULL), fc.array(edit, { minLength: 1, maxLength: 4 }), (base, edits) => deterministic(edits.reduce(apply, base))),
      { numRuns: 2000 },
    );
  });

  it('every truncation of the full example gives a Scenario or a ScenarioError', () => {
    for (let n = 0; n <= FULL.length; n++) outcome(FULL.slice(0, n));
  });

  it('rejects pathological input quickly', () => {
    const started = Date.now();
    for (const s of [
      '('.repeat(200000),
      `scenario x\nexpect always ${'('.repeat(200000)}`,
      `scenario x\nexpect always ${'!('.repeat(100000)}`,
      '9'.repeat(100000),
      `scenario x\nfile A socket\nprocess P\n  fd ${'9'.repeat(5000)} = A`,
      `scenario ${'a'.repeat(200000)}`,
      '\n'.repeat(200000),
      `scenario x\n${'# c\n'.repeat(100000)}`,
    ]) {
      expect(() => parseScenario(s)).toThrow(ScenarioError);
    }
    expect(Date.now() - started).toBeLessThan(5000);
  });
});
