// Small, dependency-free helpers for the browser benchmarks: percentiles, a seeded
// PRNG (so every run types the same queries), CSV reading and number formatting.

/** The p-th percentile (0 < p ≤ 100) of `values` by the nearest-rank method: the
 * smallest sample such that at least p % of all samples are ≤ it. Always an observed
 * value, never an interpolation, so "p95 = 1.9 ms" means a keystroke really took 1.9 ms.
 * NaN for no samples. */
export function percentile(values, p) {
  if (!(p > 0 && p <= 100)) throw new RangeError(`percentile ${p} is not in (0, 100]`);
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const rank = Math.ceil((p / 100) * sorted.length);
  return sorted[Math.min(sorted.length, Math.max(1, rank)) - 1];
}

/** p50, p95, max and count of `values`. */
export function summarize(values) {
  return {
    n: values.length,
    p50: percentile(values, 50),
    p95: percentile(values, 95),
    max: values.length ? Math.max(...values) : NaN,
  };
}

/** Mulberry32: a tiny seeded PRNG returning floats in [0, 1). Deterministic across
 * Node versions, unlike anything built in. */
export function mulberry32(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A seed from a string (FNV-1a), so each corpus gets its own fixed sequence. */
export function seedOf(text) {
  let h = 0x811c9dc5;
  for (const ch of text) {
    h ^= ch.codePointAt(0);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h;
}

/** RFC 4180 CSV: quoted fields, doubled quotes, commas and line breaks inside quotes.
 * Returns an array of rows, each an array of fields; a trailing newline adds no row. */
export function parseCsv(text) {
  const rows = [];
  let row = [];
  let field = "";
  let quoted = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        field += c;
      }
    } else if (c === '"') {
      quoted = true;
    } else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else {
      field += c;
    }
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
}

/** Milliseconds for a table: two decimals below 100 ms (sub-millisecond differences
 * matter there), whole numbers above. */
export function formatMs(ms) {
  if (Number.isNaN(ms)) return "–";
  return ms < 100 ? ms.toFixed(2) : ms.toFixed(0);
}
