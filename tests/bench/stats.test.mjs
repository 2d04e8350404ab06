// Unit tests of the benchmark helpers: `node --test bench/` from tests/.
import { test } from "node:test";
import assert from "node:assert/strict";
import { percentile, summarize, mulberry32, seedOf, parseCsv, formatMs } from "./stats.mjs";

test("nearest-rank percentiles are observed values", () => {
  const v = [5, 1, 4, 2, 3]; // unsorted on purpose
  assert.equal(percentile(v, 50), 3);
  assert.equal(percentile(v, 95), 5);
  assert.equal(percentile(v, 100), 5);
  assert.equal(percentile(v, 1), 1);
  assert.deepEqual(v, [5, 1, 4, 2, 3], "input is not reordered");
  // 1..100: p95 is the 95th value, p50 the 50th.
  const hundred = Array.from({ length: 100 }, (_, i) => i + 1);
  assert.equal(percentile(hundred, 95), 95);
  assert.equal(percentile(hundred, 50), 50);
  // 1..20: ceil(0.95 * 20) = 19.
  assert.equal(percentile(Array.from({ length: 20 }, (_, i) => i + 1), 95), 19);
  assert.equal(percentile([7], 95), 7);
  assert.ok(Number.isNaN(percentile([], 50)));
  assert.throws(() => percentile([1], 0), RangeError);
  assert.throws(() => percentile([1], 101), RangeError);
});

test("summary of samples", () => {
  const s = summarize([0.5, 0.1, 0.3, 0.2, 9.0]);
  assert.deepEqual(s, { n: 5, p50: 0.3, p95: 9.0, max: 9.0 });
  const empty = summarize([]);
  assert.equal(empty.n, 0);
  assert.ok(Number.isNaN(empty.p50) && Number.isNaN(empty.max));
});

test("the PRNG is deterministic per seed and stays in [0, 1)", () => {
  const draw = (seed) => {
    const r = mulberry32(seed);
    return Array.from({ length: 50 }, r);
  };
  assert.deepEqual(draw(42), draw(42));
  assert.notDeepEqual(draw(42), draw(43));
  assert.ok(draw(7).every((x) => x >= 0 && x < 1));
  // Pinned so a change of algorithm is noticed: it would change every query typed.
  assert.equal(mulberry32(1)(), 0.6270739405881613);
  assert.equal(seedOf("gen-1k"), seedOf("gen-1k"));
  assert.notEqual(seedOf("gen-1k"), seedOf("gen-10k"));
});

test("CSV with quotes, doubled quotes, commas and line breaks", () => {
  const text = 'query,expected_id\n"I can\'t, really",cancel\nplain,x\n"say ""hi""\nthere",y\r\nlast,z\n';
  assert.deepEqual(parseCsv(text), [
    ["query", "expected_id"],
    ["I can't, really", "cancel"],
    ["plain", "x"],
    ['say "hi"\nthere', "y"],
    ["last", "z"],
  ]);
  assert.deepEqual(parseCsv("a,b"), [["a", "b"]]);
});

test("milliseconds are formatted for the table", () => {
  assert.equal(formatMs(0.456), "0.46");
  assert.equal(formatMs(12.3), "12.30");
  assert.equal(formatMs(1234.4), "1234");
  assert.equal(formatMs(NaN), "–");
});
