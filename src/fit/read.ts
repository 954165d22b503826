import { decodeFromCompressedBase64 } from 'hdr-histogram-js';
import { UsageError } from '../errors.js';

/**
 * Readers of measured latencies: a CSV column, one number per line, k6's
 * JSON output, an HdrHistogram log. Each turns a file's text into samples
 * in µs, or refuses it with a {@link UsageError} whose message starts with
 * `FILE:LINE:` (the line of the first unusable value), so that the CLI
 * prints `flashsim: FILE:LINE: …` and exits 2.
 */

/** The formats {@link readSamples} reads. */
export const SAMPLE_FORMATS = ['csv', 'lines', 'k6', 'hdr'] as const;
/** One of {@link SAMPLE_FORMATS}. */
export type SampleFormat = (typeof SAMPLE_FORMATS)[number];

/** Units a bare number may be given in (`--unit`), and their µs. */
export const SAMPLE_UNITS: Readonly<Record<string, number>> = { ns: 1e-3, us: 1, µs: 1, μs: 1, ms: 1e3, s: 1e6 };

/** Fewest samples a fit accepts: below this no goodness-of-fit test can tell the families apart. */
export const MIN_SAMPLES = 20;
/** Most samples a fit accepts (HdrHistogram counts included): 8 MB of µs values, fits and tests in seconds. */
export const MAX_SAMPLES = 1_000_000;
/** Largest file read, bytes (64 MiB): a k6 JSON line is ~250 bytes, so ~250,000 points. */
export const MAX_SAMPLE_FILE_BYTES = 64 * 1024 * 1024;

/** What a reader needs besides the text. */
export interface ReadOptions {
  /** The file as the user named it, for messages. */
  file: string;
  /** Force a format; otherwise detected ({@link detectFormat}). */
  format?: SampleFormat;
  /** CSV: the column to read (by its header). */
  column?: string;
  /** Unit of bare numbers (csv, lines: else an error; hdr: the recorded values' unit, default us). */
  unit?: string;
  /** k6: the metric whose points are read (default http_req_duration). */
  metric?: string;
}

/** Measured latencies as read. */
export interface SampleSet {
  /** The values, µs, in file order. */
  valuesUs: Float64Array;
  /** The format they were read as. */
  format: SampleFormat;
  /** What was read: the CSV column, the k6 metric, or the format's name. */
  what: string;
}

const DEFAULT_METRIC = 'http_req_duration';

/** A located refusal: `FILE:LINE: message`. */
function at(file: string, line: number | undefined, message: string): UsageError {
  return new UsageError(line === undefined ? `${file}: ${message}` : `${file}:${line}: ${message}`);
}

/** Appends to a growing Float64Array-backed list, refusing beyond {@link MAX_SAMPLES}. */
class Values {
  #data = new Float64Array(1024);
  #length = 0;
  constructor(
    private readonly file: string,
    private readonly what: string,
  ) {}
  push(value: number, line: number, count = 1): void {
    if (this.#length + count > MAX_SAMPLES) {
      throw at(
        this.file,
        line,
        `more than ${MAX_SAMPLES.toLocaleString('en-US')} ${this.what}; sim fit takes at most that many (a random subset of them fits as well)`,
      );
    }
    while (this.#length + count > this.#data.length) {
      const bigger = new Float64Array(this.#data.length * 2);
      bigger.set(this.#data);
      this.#data = bigger;
    }
    this.#data.fill(value, this.#length, this.#length + count);
    this.#length += count;
  }
  get length(): number {
    return this.#length;
  }
  done(): Float64Array {
    return this.#data.slice(0, this.#length);
  }
}

const VALUE = /^([+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?)\s*([A-Za-zµμ]*)$/;

/**
 * One latency in µs: "12.5ms", "250us", "1.2s", "800ns", or a bare number
 * in `unit`. Returns the reason when it is not one.
 */
export function parseLatency(text: string, unit: string | undefined): number | string {
  const s = text.trim();
  const m = VALUE.exec(s);
  if (!m) {
    if (/^[+-]?(nan|inf(inity)?)$/i.test(s)) return `${JSON.stringify(s)} is not a finite number`;
    return `not a latency: ${JSON.stringify(s.length > 40 ? `${s.slice(0, 40)}…` : s)} (expected a number with a unit such as 12.5ms, 250us or 1.2s)`;
  }
  const amount = Number(m[1]);
  const suffix = m[2];
  const scale = suffix === '' ? (unit === undefined ? undefined : SAMPLE_UNITS[unit]) : SAMPLE_UNITS[suffix.toLowerCase()];
  if (suffix !== '' && scale === undefined)
    return `unknown unit ${JSON.stringify(suffix)} in ${JSON.stringify(s)} (expected ns, us, ms or s)`;
  if (scale === undefined) return `${s} has no unit: write ${s}ms (or us, s), or give --unit ms|us|s`;
  if (amount < 0) return `negative latency ${s}`;
  const us = amount * scale;
  if (!Number.isFinite(us)) return `${s} is not a finite number`;
  return us;
}

/** The lines of a text, without their line ends. */
function linesOf(text: string): string[] {
  return text.split(/\r?\n/);
}

const HDR_INTERVAL = /^(Tag=[^,]*,)?[\d.]+,[\d.]+,[\d.]+,HIST/;

/**
 * The format of a text: an HdrHistogram log (its `#[…]` headers, its
 * legend or an interval line), k6's JSON (a line that is an object), a CSV
 * (a delimiter in the first line, or a first line that is a header rather
 * than a latency), otherwise one number per line.
 */
export function detectFormat(text: string, column?: string): SampleFormat {
  const lines = linesOf(text.slice(0, 64 * 1024));
  const first = lines.find((l) => l.trim() !== '' && !(l.startsWith('#') && !l.startsWith('#[')))?.trim() ?? '';
  if (
    lines.some((l) => /^#\[(StartTime|BaseTime|Histogram log format)/.test(l) || /^"?StartTimestamp"?,/.test(l) || HDR_INTERVAL.test(l))
  ) {
    return 'hdr';
  }
  if (first.startsWith('{')) return 'k6';
  if (column !== undefined || /[,;\t]/.test(first)) return 'csv';
  return typeof parseLatency(first, 'ms') === 'number' ? 'lines' : 'csv';
}

/**
 * Reads samples from a file's text.
 *
 * @throws {UsageError} `FILE:LINE: …` for the first unusable value, or
 *   `FILE: …` when nothing usable is there (see {@link MIN_SAMPLES}, {@link MAX_SAMPLES}).
 */
export function readSamples(input: string, options: ReadOptions): SampleSet {
  const { file } = options;
  // Spreadsheets save CSV with a byte-order mark, which would become part of the first header.
  const text = input.startsWith('\uFEFF') ? input.slice(1) : input;
  if (options.unit !== undefined && SAMPLE_UNITS[options.unit] === undefined) {
    throw new UsageError(`--unit: expected ns, us, ms or s (got ${JSON.stringify(options.unit)})`);
  }
  if (text.trim() === '') throw at(file, undefined, 'the file is empty; expected measured latencies');
  const format = options.format ?? detectFormat(text, options.column);
  if (options.column !== undefined && format !== 'csv')
    throw new UsageError(`--column applies to CSV files only (${file} is read as ${format})`);
  if (options.metric !== undefined && format !== 'k6')
    throw new UsageError(`--metric applies to k6 JSON output only (${file} is read as ${format})`);
  if (options.unit !== undefined && format === 'k6')
    throw new UsageError(`--unit does not apply to k6 JSON output: its durations are in ms`);
  const set =
    format === 'csv'
      ? readCsv(text, options)
      : format === 'lines'
        ? readLines(text, options)
        : format === 'k6'
          ? readK6(text, options)
          : readHdr(text, options);
  if (set.valuesUs.length < MIN_SAMPLES) {
    throw at(
      file,
      undefined,
      `${set.valuesUs.length} sample${set.valuesUs.length === 1 ? '' : 's'} of ${set.what}; a fit needs at least ${MIN_SAMPLES}`,
    );
  }
  return set;
}

function readLines(text: string, { file, unit }: ReadOptions): SampleSet {
  const values = new Values(file, 'values');
  const lines = linesOf(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#')) continue;
    const v = parseLatency(line, unit);
    if (typeof v === 'string') throw at(file, i + 1, v);
    values.push(v, i + 1);
  }
  return { valuesUs: values.done(), format: 'lines', what: 'values' };
}

/** Splits one CSV record: RFC 4180 quoting ("a,b", "" for a quote) within the line. */
function splitCsv(line: string, delimiter: string): string[] {
  if (!line.includes('"')) return line.split(delimiter);
  const fields: string[] = [];
  let field = '';
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (quoted) {
      if (c === '"' && line[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === delimiter) {
      fields.push(field);
      field = '';
    } else field += c;
  }
  fields.push(field);
  return fields;
}

/** A unit named at the end of a column's header: `latency_ms`, `duration (us)`, `time[s]`. */
function headerUnit(name: string): string | undefined {
  const m = /(?:^|[_\s\-([])(ns|us|µs|ms|s)[)\]]?$/i.exec(name.trim());
  return m ? m[1].toLowerCase() : undefined;
}

function readCsv(text: string, { file, column, unit }: ReadOptions): SampleSet {
  const lines = linesOf(text);
  const headerIndex = lines.findIndex((l) => l.trim() !== '');
  const headerLine = lines[headerIndex];
  const delimiter = [',', ';', '\t'].find((d) => headerLine.includes(d)) ?? ',';
  const header = splitCsv(headerLine, delimiter).map((h) => h.trim());
  let index: number;
  if (column !== undefined) {
    index = header.indexOf(column);
    if (index < 0) index = header.findIndex((h) => h.toLowerCase() === column.toLowerCase());
    if (index < 0) {
      throw at(
        file,
        headerIndex + 1,
        `no column ${JSON.stringify(column)}; the header names ${header.map((h) => JSON.stringify(h)).join(', ')}`,
      );
    }
  } else if (header.length === 1) {
    index = 0;
  } else {
    throw at(
      file,
      headerIndex + 1,
      `${header.length} columns (${header.map((h) => JSON.stringify(h)).join(', ')}): choose one with --column NAME`,
    );
  }
  const name = header[index];
  if (typeof parseLatency(name, 'ms') === 'number') {
    throw at(
      file,
      headerIndex + 1,
      `the first row (${JSON.stringify(name)}) is a value, not a header; a CSV starts with a header row (or read it with --format lines)`,
    );
  }
  const valueUnit = unit ?? headerUnit(name);
  const values = new Values(file, `values in column ${JSON.stringify(name)}`);
  for (let i = headerIndex + 1; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const fields = splitCsv(lines[i], delimiter);
    if (fields.length !== header.length) {
      throw at(file, i + 1, `${fields.length} field${fields.length === 1 ? '' : 's'}, the header has ${header.length}`);
    }
    const cell = fields[index].trim();
    if (cell === '') throw at(file, i + 1, `no value in column ${JSON.stringify(name)}`);
    const v = parseLatency(cell, valueUnit);
    if (typeof v === 'string') throw at(file, i + 1, `column ${JSON.stringify(name)}: ${v}`);
    values.push(v, i + 1);
  }
  return { valuesUs: values.done(), format: 'csv', what: `column ${JSON.stringify(name)}` };
}

function readK6(text: string, { file, metric = DEFAULT_METRIC }: ReadOptions): SampleSet {
  const values = new Values(file, `${metric} points`);
  const seen = new Set<string>();
  const lines = linesOf(text);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '') continue;
    let entry: unknown;
    try {
      entry = JSON.parse(line);
    } catch {
      throw at(file, i + 1, 'not a JSON object (k6 run --out json=FILE writes one per line)');
    }
    if (typeof entry !== 'object' || entry === null)
      throw at(file, i + 1, 'not a JSON object (k6 run --out json=FILE writes one per line)');
    const { type, metric: name, data } = entry as { type?: unknown; metric?: unknown; data?: { value?: unknown } };
    if (type !== 'Point') continue;
    if (name !== metric) {
      if (typeof name === 'string' && seen.size < 50) seen.add(name);
      continue;
    }
    const value = data?.value;
    if (typeof value !== 'number' || !Number.isFinite(value)) throw at(file, i + 1, `${metric} point without a finite data.value`);
    if (value < 0) throw at(file, i + 1, `negative ${metric} ${value}`);
    values.push(value * 1e3, i + 1);
  }
  if (values.length === 0) {
    const others = seen.size > 0 ? `; it has points of ${[...seen].join(', ')} (choose one with --metric)` : '';
    throw at(file, undefined, `no points of ${metric}${others}`);
  }
  return { valuesUs: values.done(), format: 'k6', what: metric };
}

/** The part of a decoded histogram the reader iterates (hdr-histogram-js' JsHistogram). */
interface IterableHistogram {
  totalCount: number;
  recordedValuesIterator: { reset(): void; hasNext(): boolean; next(): { valueIteratedTo: number; countAtValueIteratedTo: number } };
  medianEquivalentValue(value: number): number;
  destroy(): void;
}

/**
 * An HdrHistogram log (HistogramLogWriter's format): comment and `#[…]`
 * header lines, an optional legend, then interval lines
 * `[Tag=…,]start,length,max,HIST…` (a compressed histogram in base64).
 * Every interval is added up; each recorded value counts as its bucket's
 * median equivalent, as HdrHistogram's own mean does. Values are in the
 * unit they were recorded in (`--unit`, default us).
 */
function readHdr(text: string, { file, unit = 'us' }: ReadOptions): SampleSet {
  const scale = SAMPLE_UNITS[unit];
  const values = new Values(file, 'recorded values');
  const lines = linesOf(text);
  let intervals = 0;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i].trim();
    if (line === '' || line.startsWith('#') || /^"?StartTimestamp"?,/.test(line)) continue;
    const fields = line.split(',');
    if (fields[0].startsWith('Tag=')) fields.shift();
    if (fields.length !== 4 || !fields.slice(0, 3).every((f) => /^\d+(\.\d+)?$/.test(f)) || !fields[3].startsWith('HIST')) {
      throw at(file, i + 1, 'not an HdrHistogram interval line (expected [Tag=…,]start,length,max,HIST… as HistogramLogWriter writes)');
    }
    let histogram: IterableHistogram;
    try {
      histogram = decodeFromCompressedBase64(fields[3], 32, false) as unknown as IterableHistogram;
    } catch (error) {
      throw at(file, i + 1, `the interval's histogram does not decode (${(error as Error).message})`);
    }
    try {
      if (values.length + histogram.totalCount > MAX_SAMPLES) values.push(0, i + 1, histogram.totalCount);
      const it = histogram.recordedValuesIterator;
      it.reset();
      while (it.hasNext()) {
        const v = it.next();
        values.push(histogram.medianEquivalentValue(v.valueIteratedTo) * scale, i + 1, v.countAtValueIteratedTo);
      }
    } finally {
      histogram.destroy();
    }
    intervals++;
  }
  if (intervals === 0)
    throw at(file, undefined, 'no interval lines: an HdrHistogram log has lines of the form [Tag=…,]start,length,max,HIST…');
  return { valuesUs: values.done(), format: 'hdr', what: 'recorded values' };
}
