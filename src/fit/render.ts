import { formatLatency, formatNumber } from './format.js';
import type { FitReport, FitResult } from './fit.js';

/** Where the samples came from, for the heading. */
export interface FitSource {
  /** The file as the user named it. */
  file: string;
  /** The format read (csv, lines, k6, hdr). */
  format: string;
  /** What was read: a column, a metric. */
  what: string;
}

/** The key the pasted line uses. */
const KEY = 'service';

/** p-values below 5% say the family does not fit. */
const LEVEL = 0.05;

/** A bootstrap p-value; the smallest one it can give, 1 / (B + 1) (no replicate as far off), is a bound: "≤0.005". */
function pValue(p: number | null, replicates: number): string {
  if (p === null) return '-';
  const floor = 1 / (replicates + 1);
  return p <= floor * (1 + 1e-9) ? `≤${formatNumber(floor, 2)}` : p.toFixed(3);
}

function shown(r: FitResult): string {
  return r.family === 'empirical' ? `empirical (${r.spec.kind === 'empirical' ? r.spec.points.length : 0} points)` : r.value;
}

/** A parameter and its 95% interval: "median 14.23ms [14.00ms, 14.47ms]". */
function interval(p: FitResult['parameters'][number]): string {
  const f = (x: number): string => (p.unit === 'us' ? formatLatency(x, 4) : formatNumber(x, 4));
  return `${p.name} ${f(p.value)} [${f(p.low)}, ${f(p.high)}]`;
}

/** The line to paste into a scenario: `service: 'lognormal(14.2ms, 0.38)'`. */
export function scenarioLine(r: FitResult): string {
  return `${KEY}: '${r.value}'`;
}

/**
 * The console report of a fit: the samples' order statistics, the table of
 * fits (rank, distribution as a scenario value, KS D and its p-value, AD
 * A² and its p-value, log-likelihood, AIC), the best fit's intervals and
 * the line to paste.
 */
export function renderFitText(report: FitReport, source: FitSource): string {
  const s = report.summary;
  const lines: string[] = [];
  lines.push(`${source.file}: ${s.n.toLocaleString('en-US')} samples (${source.format}, ${source.what})`);
  lines.push(
    `  min ${formatLatency(s.min)} · p50 ${formatLatency(s.p50)} · p90 ${formatLatency(s.p90)} · p99 ${formatLatency(s.p99)} · max ${formatLatency(s.max)} · mean ${formatLatency(s.mean)}`,
  );
  lines.push('');
  const header = ['rank', 'distribution', 'KS D', 'p(KS)', 'AD A²', 'p(AD)', 'log L', 'AIC'];
  const rows = report.fits.map((r) => [
    r.rank === null ? '-' : String(r.rank),
    shown(r),
    r.ks.toFixed(4),
    pValue(r.ksPValue, report.bootstrap.replicates),
    r.ad < 1000 ? r.ad.toFixed(3) : r.ad.toExponential(2),
    pValue(r.adPValue, report.bootstrap.replicates),
    r.logLikelihood === null ? '-' : r.logLikelihood.toFixed(1),
    r.aic === null ? '-' : r.aic.toFixed(1),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const format = (row: string[]): string =>
    row
      .map((cell, i) => (i === 1 ? cell.padEnd(widths[i]) : cell.padStart(widths[i])))
      .join('  ')
      .trimEnd();
  lines.push(format(header));
  for (const row of rows) lines.push(format(row));
  for (const r of report.fits) if (r.note !== undefined && r.family !== 'empirical') lines.push(`  ${r.family}: not ranked, ${r.note}`);
  for (const k of report.skipped) lines.push(`  ${k.family}: not fitted, ${k.reason}`);
  lines.push('');
  const b = report.bootstrap;
  lines.push(
    b.replicates > 0
      ? `p-values: seeded parametric bootstrap, ${b.replicates} replicates of ${b.sampleSize.toLocaleString('en-US')} draws per family, refitted (seed ${b.seed}); ranked by AD A².`
      : 'p-values: none (--bootstrap 0); ranked by AD A².',
  );
  lines.push('log L: densities per µs; AIC = 2k − 2 log L.');
  const best = report.best;
  if (best.parameters.length > 0) lines.push(`95% intervals of the best fit: ${best.parameters.map(interval).join(', ')}`);
  lines.push('');
  lines.push('Best fit, as a scenario value:');
  lines.push(scenarioLine(best));
  if (best.adPValue !== null && best.adPValue < LEVEL) {
    const empirical = report.fits.find((r) => r.family === 'empirical');
    lines.push('');
    lines.push(
      `No family fits at the 5% level (p(AD) ${pValue(best.adPValue, report.bootstrap.replicates)}); the empirical distribution follows the samples' quantiles:`,
    );
    if (empirical) lines.push(scenarioLine(empirical));
  }
  return `${lines.join('\n')}\n`;
}

/** fit.json: the report with the source, every number in µs (`unit`), the best fit's line. */
export function renderFitJson(report: FitReport, source: FitSource): string {
  const fits = report.fits.map((r) => ({
    family: r.family,
    value: r.value,
    rank: r.rank,
    spec: r.spec,
    parameters: r.parameters,
    ks: r.ks,
    ksPValue: r.ksPValue,
    ad: r.ad,
    adPValue: r.adPValue,
    logLikelihood: r.logLikelihood,
    aic: r.aic,
    ...(r.note !== undefined ? { note: r.note } : {}),
  }));
  const json = {
    source,
    unit: 'us',
    summary: report.summary,
    bootstrap: report.bootstrap,
    best: { family: report.best.family, value: report.best.value, line: scenarioLine(report.best) },
    fits,
    skipped: report.skipped,
  };
  return `${JSON.stringify(json, null, 2)}\n`;
}
