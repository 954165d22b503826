import { describe, expect, it } from 'vitest';
import { build, HistogramLogReader, HistogramLogWriter } from 'hdr-histogram-js';
import { detectFormat, MAX_SAMPLES, parseLatency, readSamples, type ReadOptions } from '../../src/fit/read.js';

const FILE = 'lat.txt';

function read(text: string, options: Partial<ReadOptions> = {}): number[] {
  return [...readSamples(text, { file: FILE, ...options }).valuesUs];
}

/** The message readSamples refuses `text` with. */
function refusal(text: string, options: Partial<ReadOptions> = {}): string {
  try {
    readSamples(text, { file: FILE, ...options });
  } catch (error) {
    expect((error as Error).name).toBe('UsageError');
    return (error as Error).message;
  }
  throw new Error('not refused');
}

/** n lines of values "1ms", "2ms", … */
const values = (n: number, unit = 'ms'): string[] => Array.from({ length: n }, (_, i) => `${i + 1}${unit}`);

describe('parseLatency', () => {
  it('reads units and bare numbers in --unit', () => {
    expect(parseLatency('12.5ms', undefined)).toBe(12_500);
    expect(parseLatency('250us', undefined)).toBe(250);
    expect(parseLatency('250µs', undefined)).toBe(250);
    expect(parseLatency('1.2s', undefined)).toBe(1_200_000);
    expect(parseLatency('800ns', undefined)).toBeCloseTo(0.8, 12);
    expect(parseLatency('1e3', 'us')).toBe(1000);
    expect(parseLatency(' 7 ', 'ms')).toBe(7000);
  });

  it('says why a value is not a latency', () => {
    expect(parseLatency('12.5', undefined)).toBe('12.5 has no unit: write 12.5ms (or us, s), or give --unit ms|us|s');
    expect(parseLatency('-3ms', undefined)).toBe('negative latency -3ms');
    expect(parseLatency('NaN', 'ms')).toBe('"NaN" is not a finite number');
    expect(parseLatency('3 ms x', 'ms')).toContain('not a latency');
    expect(parseLatency('3 parsecs', 'ms')).toBe('unknown unit "parsecs" in "3 parsecs" (expected ns, us, ms or s)');
    expect(parseLatency('3h', undefined)).toBe('unknown unit "h" in "3h" (expected ns, us, ms or s)');
  });
});

describe('one value per line', () => {
  it('skips blank and # lines', () => {
    expect(read(`# measured\n${values(20).join('\n')}\n\n`)).toEqual(values(20).map((_, i) => (i + 1) * 1000));
  });

  it('refuses a non-number at its line, negatives and NaN at theirs, bare numbers without --unit', () => {
    const lines = values(25);
    lines[6] = 'oops';
    expect(refusal(lines.join('\n'))).toBe(
      `${FILE}:7: not a latency: "oops" (expected a number with a unit such as 12.5ms, 250us or 1.2s)`,
    );
    lines[6] = '-2ms';
    expect(refusal(`# header\n${lines.join('\n')}`)).toBe(`${FILE}:8: negative latency -2ms`);
    lines[6] = 'nan';
    expect(refusal(lines.join('\n'))).toBe(`${FILE}:7: "nan" is not a finite number`);
    expect(refusal(values(25, '').join('\n'))).toBe(`${FILE}:1: 1 has no unit: write 1ms (or us, s), or give --unit ms|us|s`);
    expect(read(values(25, '').join('\n'), { unit: 'us' })[24]).toBe(25);
  });

  it('refuses an empty file, too few samples and an unknown --unit', () => {
    expect(refusal('')).toBe(`${FILE}: the file is empty; expected measured latencies`);
    expect(refusal(' \n\n')).toBe(`${FILE}: the file is empty; expected measured latencies`);
    expect(refusal(values(19).join('\n'))).toBe(`${FILE}: 19 samples of values; a fit needs at least 20`);
    expect(refusal(values(20).join('\n'), { unit: 'min' })).toBe('--unit: expected ns, us, ms or s (got "min")');
  });

  it(`refuses more than ${MAX_SAMPLES.toLocaleString('en-US')} values, at the line that goes beyond`, () => {
    const text = '1ms\n'.repeat(MAX_SAMPLES + 1);
    expect(refusal(text)).toBe(
      `${FILE}:${MAX_SAMPLES + 1}: more than 1,000,000 values; sim fit takes at most that many (a random subset of them fits as well)`,
    );
  });
});

describe('CSV', () => {
  const csv = ['id,latency,status', ...values(20).map((v, i) => `${i},${v},200`)].join('\n');

  it('reads the --column, by name (any case), with or without unit suffixes', () => {
    expect(read(csv, { column: 'latency' })).toHaveLength(20);
    expect(read(csv, { column: 'LATENCY' })[0]).toBe(1000);
    const bare = ['id;duration_ms', ...Array.from({ length: 20 }, (_, i) => `${i};${i + 0.5}`)].join('\n');
    // The unit from the header; the delimiter from the header line.
    expect(read(bare, { column: 'duration_ms' })[1]).toBe(1500);
    expect(read(bare, { column: 'duration_ms', unit: 'us' })[1]).toBe(1.5);
  });

  it('a byte-order mark and CRLF line ends are read through', () => {
    expect(read(`\uFEFFlatency_ms\r\n${Array.from({ length: 20 }, (_, i) => i + 1).join('\r\n')}\r\n`, { column: 'latency_ms' })[19]).toBe(
      20_000,
    );
  });

  it('a single column needs no --column; quoted fields are read', () => {
    expect(read(['"latency (ms)"', ...Array.from({ length: 20 }, (_, i) => `"${i + 1}"`)].join('\n'))[19]).toBe(20_000);
  });

  it('refuses an unknown column, several columns without --column, short rows and empty cells, with the line', () => {
    expect(refusal(csv, { column: 'lat' })).toBe(`${FILE}:1: no column "lat"; the header names "id", "latency", "status"`);
    expect(refusal(csv)).toBe(`${FILE}:1: 3 columns ("id", "latency", "status"): choose one with --column NAME`);
    const rows = csv.split('\n');
    rows[5] = '4,5ms';
    expect(refusal(rows.join('\n'), { column: 'latency' })).toBe(`${FILE}:6: 2 fields, the header has 3`);
    rows[5] = '4,,200';
    expect(refusal(rows.join('\n'), { column: 'latency' })).toBe(`${FILE}:6: no value in column "latency"`);
    rows[5] = '4,fast,200';
    expect(refusal(rows.join('\n'), { column: 'latency' })).toContain(`${FILE}:6: column "latency": not a latency: "fast"`);
    rows[5] = '4,-1ms,200';
    expect(refusal(rows.join('\n'), { column: 'latency' })).toBe(`${FILE}:6: column "latency": negative latency -1ms`);
  });
});

describe('k6 JSON output', () => {
  const metric = (name: string, value: number): string =>
    JSON.stringify({ type: 'Point', metric: name, data: { time: '2026-12-07T12:00:00Z', value, tags: { status: '200' } } });
  const lines = [
    JSON.stringify({ type: 'Metric', data: { name: 'http_req_duration', type: 'trend' }, metric: 'http_req_duration' }),
    ...Array.from({ length: 30 }, (_, i) => [metric('http_req_duration', 10 + i / 10), metric('http_req_waiting', 9 + i / 10)]).flat(),
  ];

  it('reads http_req_duration points in ms, or the --metric', () => {
    const text = lines.join('\n');
    expect(detectFormat(text)).toBe('k6');
    const xs = read(text);
    expect(xs).toHaveLength(30);
    expect(xs[1]).toBeCloseTo(10_100, 9);
    expect(read(text, { metric: 'http_req_waiting' })[0]).toBe(9000);
  });

  it('refuses a line that is not JSON, a bad value and a metric with no points, with the line or the metrics present', () => {
    const bad = [...lines];
    bad[4] = '{"type":"Point",';
    expect(refusal(bad.join('\n'))).toBe(`${FILE}:5: not a JSON object (k6 run --out json=FILE writes one per line)`);
    bad[4] = metric('http_req_duration', -1);
    expect(refusal(bad.join('\n'))).toBe(`${FILE}:5: negative http_req_duration -1`);
    bad[4] = JSON.stringify({ type: 'Point', metric: 'http_req_duration', data: { value: 'x' } });
    expect(refusal(bad.join('\n'))).toBe(`${FILE}:5: http_req_duration point without a finite data.value`);
    expect(refusal(lines.join('\n'), { metric: 'iteration_duration' })).toBe(
      `${FILE}: no points of iteration_duration; it has points of http_req_duration, http_req_waiting (choose one with --metric)`,
    );
    expect(refusal(lines.join('\n'), { unit: 'ms' })).toBe('--unit does not apply to k6 JSON output: its durations are in ms');
  });
});

describe('HdrHistogram log', () => {
  /** A log as hdr-histogram-js' own HistogramLogWriter writes it: 3 intervals of 1,000 values, µs. */
  function log(): string {
    let out = '';
    const writer = new HistogramLogWriter((s) => (out += s));
    writer.outputLogFormatVersion();
    writer.outputStartTime(1_700_000_000_000);
    writer.outputLegend();
    for (let k = 0; k < 3; k++) {
      const h = build();
      for (let i = 0; i < 1000; i++) h.recordValue(1000 + i * (k + 1));
      h.startTimeStampMsec = 1_700_000_000_000 + k * 1000;
      h.endTimeStampMsec = h.startTimeStampMsec + 1000;
      writer.outputIntervalHistogram(h);
      h.destroy();
    }
    return out;
  }

  it('reads every interval of a log written by HistogramLogWriter, as HistogramLogReader does', () => {
    const text = log();
    expect(detectFormat(text)).toBe('hdr');
    const xs = read(text);
    // The library's own reader finds the same intervals and counts.
    const reader = new HistogramLogReader(text);
    let total = 0;
    let max = 0;
    for (let h = reader.nextIntervalHistogram(); h; h = reader.nextIntervalHistogram()) {
      total += h.totalCount;
      max = Math.max(max, h.maxValue);
    }
    expect(total).toBe(3000);
    expect(xs).toHaveLength(total);
    // Values within HdrHistogram's precision (3 significant digits) of what was recorded.
    expect(Math.min(...xs)).toBeCloseTo(1000, -1);
    expect(Math.max(...xs) / max).toBeCloseTo(1, 2);
    expect(read(text, { unit: 'ms' })[0]).toBeCloseTo(xs[0] * 1000, 6);
  });

  it('refuses a malformed interval line at its line', () => {
    const lines = log().split('\n');
    const at = lines.findIndex((l) => l.includes('HIST'));
    lines[at] = lines[at].replace(/HIST.*/, 'HISTnot-base64');
    expect(refusal(lines.join('\n'))).toMatch(new RegExp(`^${FILE}:${at + 1}: the interval's histogram does not decode`));
    lines[at] = '1.0,2.0,HISTFAAAAC';
    expect(refusal(lines.join('\n'))).toContain(`${FILE}:${at + 1}: not an HdrHistogram interval line`);
  });
});
