/**
 * History files: the three formats read into the same operations, Jepsen's semantics of failures
 * and timeouts, and a clear error (line, what was expected) for every kind of malformed line.
 */
import { describe, expect, test } from 'vitest';
import { checkLinearizability } from './checker.js';
import { readEdn, Keyword } from './edn.js';
import { guessFormat, HistoryFormatError, readHistory, SPECS, type HistoryFormat, type SpecName } from './formats.js';

const JEPSEN = [
  'INFO  jepsen.util - 0\t:invoke\t:write\t1',
  'INFO  jepsen.util - 0\t:ok\t:write\t1',
  'INFO  jepsen.util - 1\t:invoke\t:cas\t[1 2]',
  'INFO  jepsen.util - 2   :invoke :read   nil', // spaces instead of tabs, as in some recorded logs
  'INFO  jepsen.util - 1\t:fail\t:cas\t[1 2]',
  'INFO  jepsen.util - 2\t:fail\t:read\t:timed-out',
  'INFO  jepsen.util - 3\t:invoke\t:write\t5',
  'INFO  jepsen.util - 3\t:info\t:write\t:timed-out',
  'INFO  jepsen.util - :nemesis\t:info\t:start\tnil',
  '',
  'INFO  jepsen.util - 4\t:invoke\t:read\tnil',
  'INFO  jepsen.util - 4\t:ok\t:read\t1',
].join('\n');

const EDN = [
  '{:process 0, :type :invoke, :f :write, :value 1}',
  '{:process 0, :type :ok, :f :write, :value 1}',
  '{:process 1, :type :invoke, :f :cas, :value [1 2]}',
  '{:process 2, :type :invoke, :f :read, :value nil}',
  '{:process 1, :type :fail, :f :cas, :value [1 2]}',
  '{:process 2, :type :info, :f :read, :value nil}',
  '{:process 3, :type :invoke, :f :write, :value 5}',
  '{:process 3, :type :info, :f :write, :value 5}',
  '{:process :nemesis, :type :info, :f :start, :value nil}',
  '',
  '{:process 4, :type :invoke, :f :read, :value nil}',
  '{:process 4, :type :ok, :f :read, :value 1}',
].join('\n');

const JSONL = [
  '{"client": 0, "type": "invoke", "f": "write", "value": 1}',
  '{"client": 0, "type": "ok", "f": "write", "value": 1}',
  '{"client": 1, "type": "invoke", "f": "cas", "value": [1, 2]}',
  '{"client": 2, "type": "invoke", "f": "read", "value": null}',
  '{"client": 1, "type": "fail", "f": "cas", "value": [1, 2]}',
  '{"client": 2, "type": "info", "f": "read"}',
  '{"client": 3, "type": "invoke", "f": "write", "value": 5}',
  '{"client": 3, "type": "info", "f": "write", "value": 5}',
  '{"client": 3, "type": "invoke", "f": "read", "value": null}',
  '{"client": 4, "type": "invoke", "f": "read", "value": null}',
  '{"client": 4, "type": "ok", "f": "read", "value": 1}',
].join('\n');

function summary(text: string, format: HistoryFormat) {
  return readHistory(text, format, SPECS['cas-register']).map((o) => [o.client, o.input, o.output, o.outcome, o.lines]);
}

describe('formats', () => {
  test('the three formats read into the same operations, with their lines', () => {
    const expected = [
      ['0', { f: 'write', value: 1 }, null, 'ok', [1, 2]],
      ['1', { f: 'cas', from: 1, to: 2 }, undefined, 'fail', [3, 5]],
      ['2', { f: 'read' }, undefined, 'unknown', [4, null]],
      ['3', { f: 'write', value: 5 }, undefined, 'unknown', [7, null]],
      ['4', { f: 'read' }, 1, 'ok', [11, 12]],
    ];
    expect(summary(JEPSEN, 'jepsen')).toEqual(expected);
    expect(summary(EDN, 'edn')).toEqual(expected);
    // (jsonl has no nemesis: its line 9 is a read of unknown outcome instead)
    expect(summary(JSONL, 'jsonl')).toEqual([...expected.slice(0, 4), ['3', { f: 'read' }, undefined, 'unknown', [9, null]], ['4', { f: 'read' }, 1, 'ok', [10, 11]]]);
    // A failed cas happened and returned false (the register held 1, so this is refuted).
    expect(checkLinearizability(SPECS['cas-register'].spec, readHistory(JEPSEN, 'jepsen', SPECS['cas-register'])).verdict).toBe('not-linearizable');
  });

  test('kv operations by key, nil read as the empty string', () => {
    const ops = readHistory(
      ['{:process 0, :type :invoke, :f :get, :key "k", :value nil}', '{:process 0, :type :ok, :f :get, :key "k", :value nil}', '{:process 1, :type :invoke, :f :append, :key "k", :value "x"}'].join('\n'),
      'edn',
      SPECS.kv,
    );
    expect(ops.map((o) => [o.input, o.output, o.outcome])).toEqual([
      [{ f: 'get', key: 'k' }, '', 'ok'],
      [{ f: 'append', key: 'k', value: 'x' }, undefined, 'unknown'],
    ]);
  });

  test('the format is guessed from the name, then the first line', () => {
    expect(guessFormat('a.edn', '')).toBe('edn');
    expect(guessFormat('a.jsonl', '')).toBe('jsonl');
    expect(guessFormat('c01-ok.txt', '{:process 0, :type :invoke}')).toBe('edn');
    expect(guessFormat('x.txt', '{"client": 1}')).toBe('jsonl');
    expect(guessFormat('etcd_000.log', 'INFO  jepsen.util - 0')).toBe('jepsen');
  });

  const cases: [string, HistoryFormat, SpecName, string, number][] = [
    ['a line that is not a log line', 'jepsen', 'cas-register', 'hello', 1],
    ['an unknown type', 'jepsen', 'cas-register', 'INFO  jepsen.util - 0\t:begin\t:read\tnil', 1],
    ['a broken value', 'jepsen', 'cas-register', 'INFO  jepsen.util - 0\t:invoke\t:cas\t[1 2', 1],
    ['a completion with no invocation', 'jepsen', 'cas-register', 'INFO  jepsen.util - 0\t:ok\t:read\t1', 1],
    ['two invocations at once', 'jepsen', 'cas-register', 'INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:invoke\t:read\tnil', 2],
    ['a completion of another function', 'jepsen', 'cas-register', 'INFO  jepsen.util - 0\t:invoke\t:read\tnil\nINFO  jepsen.util - 0\t:ok\t:write\t1', 2],
    ['a cas on a plain register', 'jepsen', 'register', 'INFO  jepsen.util - 0\t:invoke\t:cas\t[1 2]', 1],
    ['a cas that is not a pair', 'jepsen', 'cas-register', 'INFO  jepsen.util - 0\t:invoke\t:cas\t[1 2 3]', 1],
    ['a truncated EDN map', 'edn', 'kv', '{:process 0, :type :invoke, :f :get', 1],
    ['two EDN values on a line', 'edn', 'kv', '{:process 0, :type :invoke, :f :get, :key "k"} {}', 1],
    ['a tagged EDN value', 'edn', 'kv', '{:process 0, :type :invoke, :f :put, :key "k", :value #inst "x"}', 1],
    ['an EDN map without :type', 'edn', 'kv', '{:process 0, :f :get, :key "k"}', 1],
    ['a kv operation without a key', 'edn', 'kv', '{:process 0, :type :invoke, :f :get, :value nil}', 1],
    ['a put of a number', 'edn', 'kv', '\n{:process 0, :type :invoke, :f :put, :key "k", :value 3}', 2],
    ['not JSON', 'jsonl', 'register', '{"client": 1,', 1],
    ['a JSON field that is not known', 'jsonl', 'register', '{"client": 1, "type": "invoke", "f": "read", "time": 3}', 1],
    ['a JSON type that is not known', 'jsonl', 'register', '{"client": 1, "type": "begin", "f": "read"}', 1],
  ];
  test.each(cases)('%s is an error naming its line', (_what, format, spec, text, line) => {
    let error: unknown;
    try {
      readHistory(text, format, SPECS[spec] as never);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(HistoryFormatError);
    expect((error as HistoryFormatError).line).toBe(line);
    expect((error as Error).message).toMatch(/^expected |^the value: expected |^column \d+: expected |^client \d+ invokes .*\(expected a completion first\)$|^a completion \(ok\) for client 0 that has no invocation in progress$/);
  });

  test('the EDN reader: the subset Jepsen writes, strictly', () => {
    const m = readEdn('{:a 1, :b "x\\"y", :c nil, :d [1 -2 :k], :e true}') as Map<string, unknown>;
    expect([...m.keys()]).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(m.get('b')).toBe('x"y');
    expect(m.get('d')).toEqual([1, -2, new Keyword('k')]);
    expect(() => readEdn('{:a 1 :a 2}')).toThrow(/appears twice/);
    expect(() => readEdn('1.5')).toThrow(/expected a map/);
    expect(() => readEdn('99999999999999999999')).toThrow(/an integer within/);
  });
});

describe('hostile values (issue 23)', () => {
  // Written 2^53 + 1, read back 2^53: not linearizable; JSON.parse would round both to 2^53.
  const beyond = [
    '{"client": 1, "type": "invoke", "f": "write", "value": 9007199254740993}',
    '{"client": 1, "type": "ok", "f": "write", "value": 9007199254740993}',
    '{"client": 2, "type": "invoke", "f": "read", "value": null}',
    '{"client": 2, "type": "ok", "f": "read", "value": 9007199254740992}',
  ].join('\n');

  test('JSON-lines integers beyond 2^53 are refused on their line, never rounded into a pass', () => {
    expect(() => readHistory(beyond, 'jsonl', SPECS.register)).toThrow(HistoryFormatError);
    try {
      readHistory(beyond, 'jsonl', SPECS.register);
    } catch (error) {
      expect((error as HistoryFormatError).line).toBe(1);
      expect((error as Error).message).toBe('"value" holds an integer beyond ±9007199254740991 (2^53 − 1), which JSON readers round to a nearby one; write it as a string');
    }
    const inCas = '{"client": 1, "type": "invoke", "f": "cas", "value": [1, -9007199254740993]}';
    expect(() => readHistory(inCas, 'jsonl', SPECS['cas-register'])).toThrow(/"value" holds an integer beyond/);
    const inKey = '{"client": 1, "type": "invoke", "f": "get", "key": 18014398509481984, "value": null}';
    expect(() => readHistory(inKey, 'jsonl', SPECS.kv)).toThrow(/"key" is an integer beyond/);
  });

  test('the largest safe integers are read exactly, and the same history written with strings is refuted', () => {
    const safe = beyond.replaceAll('9007199254740993', '9007199254740991').replaceAll('9007199254740992', '9007199254740990');
    expect(checkLinearizability(SPECS.register.spec, readHistory(safe, 'jsonl', SPECS.register)).verdict).toBe('not-linearizable');
    const strings = beyond.replace(/(900719925474099\d)/g, '"$1"');
    expect(checkLinearizability(SPECS.register.spec, readHistory(strings, 'jsonl', SPECS.register)).verdict).toBe('not-linearizable');
  });

  test('a Jepsen line padded with a million blanks is read in linear time (a lazy value pattern took minutes)', () => {
    const line = `INFO  jepsen.util - 1\t:invoke\t:read\tnil${' '.repeat(1_000_000)}`;
    expect(readHistory(`${line}\n`, 'jepsen', SPECS.register)).toHaveLength(1);
    expect(() => readHistory(`${line}x`, 'jepsen', SPECS.register)).toThrow(/expected the end of the line after one value, found 'x'/);
  }, 300_000);
});
