import { stringify } from 'yaml';
import { formatDuration } from '../kernel/units.js';
import { renderChartPng } from '../report/charts/render.js';
import { chartAxis, lineChartSpec } from '../report/charts/line-chart.js';
import type { ChartSpec, DatasetData } from '../report/charts/types.js';
import { strategyColor } from '../report/palette.js';
import type { Calibration, CalibrationLevel, PrimitiveCalibration } from './calibrate.js';

/**
 * The files of a calibration: calibration.json, calibration.md, the chart
 * of measured against predicted throughput, and the scenario fragment of
 * each correct primitive (the one to paste).
 */

/** Target of the throughput error for correct primitives (issue 21): ≤ 15% at every level. */
export const THROUGHPUT_ERROR_TARGET = 0.15;

/** calibration.json. */
export function renderCalibrationJson(c: Calibration): string {
  return `${JSON.stringify(c, (_k, v: unknown) => (typeof v === 'number' && !Number.isInteger(v) ? Math.round(v * 1e4) / 1e4 : v), 2)}\n`;
}

function pct(x: number): string {
  return `${x >= 0 ? '+' : '−'}${Math.abs(x * 100).toFixed(1)}%`;
}

function rate(x: number): string {
  return x >= 100 ? String(Math.round(x)) : x.toFixed(1);
}

/** The scenario fragment of one primitive: `system.stock.primitive`, `service`, `soldOutService` and `perWaiter`, as YAML. */
export function scenarioFragment(p: PrimitiveCalibration, c: Calibration): string {
  const head = `# ${c.target.kind} ${p.id}: ${p.description}\n# fitted by sim calibrate stock against ${c.target.url}; ceiling ${Math.round(p.fit.ceilingPerSecond)} takes/s\n`;
  // An optimistic primitive's retries are not a scenario value: its fragment is the store's times of a take that commits.
  const retries =
    p.optimisticAttempts === undefined
      ? ''
      : `# ${p.id} retries aborted tries; a scenario's stock does not: these are the times of one committing try\n`;
  return head + retries + stringify({ system: { stock: p.scenario } });
}

/** The fragment to paste: the correct primitive with the highest ceiling (what a team would deploy). */
export function recommended(c: Calibration): PrimitiveCalibration | undefined {
  return [...c.primitives].filter((p) => p.correct).sort((a, b) => b.fit.ceilingPerSecond - a.fit.ceilingPerSecond)[0];
}

/** The table of one primitive, Markdown. */
export function levelTable(rows: readonly CalibrationLevel[]): string {
  const lines = [
    '| clients | measured takes/s | rounds spread | predicted | error | p50 measured | p50 predicted | p99 measured | p99 predicted | sold / stock | oversell | audit |',
    '|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|',
  ];
  for (const r of rows) {
    lines.push(
      `| ${r.concurrency} | ${rate(r.measured.throughput)} | ${(r.measured.spread * 100).toFixed(0)}% | ${rate(r.predicted.throughput)} | ${pct(r.error.throughput)} | ${formatDuration(r.measured.p50)} | ${formatDuration(r.predicted.p50)} | ${formatDuration(r.measured.p99)} | ${formatDuration(r.predicted.p99)} | ${r.measured.sold} / ${r.audit.initial} | ${r.audit.oversell} | ${r.audit.passed ? 'pass' : 'FAIL'} |`,
    );
  }
  return lines.join('\n');
}

/** The fitted client CPU: per visit + per client, and per wake-up. */
function clientCost(p: PrimitiveCalibration): string {
  return `${formatDuration(p.fit.clientUs)} + ${formatDuration(p.fit.perClientUs)}·N / ${formatDuration(p.fit.clientWakeUpUs)}`;
}

/** calibration.md. */
export function renderCalibrationMd(c: Calibration): string {
  const out: string[] = [
    `# Calibration of ${c.target.kind} at ${c.target.url}`,
    '',
    `Closed-loop clients, one connection each, at ${c.settings.concurrency.join(', ')}; per level at most ${c.settings.takes} takes or ${c.settings.duration} in ${c.settings.rounds} rounds interleaved across the levels, the stock reset to ${c.settings.units} units each round (it sells out during the round: many more takers than units). ` +
      `Figures: the median over the rounds of each round's steady window (its first and last tenth of completions cut); sold, oversell: summed over the rounds. Key or table: \`${c.target.objectName}\` (removed). ` +
      `Machine: ${c.machine.cores} cores, load average ${c.machine.loadAverageStart[0]} at the start and ${c.machine.loadAverageEnd[0]} at the end.`,
    '',
    ...c.settings.notes.map((n) => `Note: ${n}.`),
    '',
    '| primitive | correct | audit | max real oversell | ceiling takes/s | fitted service: sold / sold out / per waiter | client CPU: per visit + per client / wake-up | round trip | max throughput error | hold-out max error |',
    '|---|---|---|---:|---:|---:|---:|---:|---:|---:|',
  ];
  for (const p of c.primitives) {
    const target = p.correct ? (p.maxThroughputError <= THROUGHPUT_ERROR_TARGET ? ' (≤ 15%)' : ' (> 15%)') : '';
    out.push(
      `| ${p.id} | ${p.correct ? 'yes' : 'no (racy)'} | ${p.auditPassed ? 'pass' : 'FAIL (caught)'} | ${p.maxOversell} | ${Math.round(p.fit.ceilingPerSecond)} | ${formatDuration(p.fit.serviceUs)} / ${formatDuration(p.fit.soldOutServiceUs)} / ${formatDuration(p.fit.perWaiterUs)} | ${clientCost(p)} | ${formatDuration(p.fit.roundTripMeanUs)} | ${(p.maxThroughputError * 100).toFixed(1)}%${target} | ${p.holdOut ? `${(p.holdOut.maxThroughputError * 100).toFixed(1)}% (fitted on ${p.holdOut.fittedOn.join(', ')})` : '—'} |`,
    );
  }
  for (const p of c.primitives) {
    const rows = c.levels.filter((l) => l.primitive === p.id);
    out.push('', `## ${p.id}`, '', `${p.description}. Modelled as \`${p.model}\`.`, '', levelTable(rows), '');
    const failed = rows.filter((r) => !r.audit.passed);
    if (failed.length > 0) {
      out.push(`Audit: ${failed.length} of ${rows.length} levels caught. The first: ${failed[0].concurrency} clients:`, '');
      for (const i of failed[0].audit.invariants.filter((x) => !x.passed)) out.push(`- ${i.name}: ${i.message}`);
      out.push('');
    } else {
      out.push(
        `Audit: every level passed (${rows.map((r) => r.measured.sold).reduce((a, b) => a + b, 0)} units sold, none beyond the stock).`,
        '',
      );
    }
    out.push('```yaml', scenarioFragment(p, c).trimEnd(), '```');
  }
  out.push(
    '',
    '## Reading the errors',
    '',
    "error = (predicted − measured) / measured. Six parameters per primitive for all levels: the store's serial time of a sold take, of a sold-out take and per take waiting (fitted to the throughput curve), the client's CPU per visit, per connection and per wake-up (fitted to the CPU and run-queue time per take measured in each level's steady window); the round trip is the lowest level's latency less both stations. Without --hold-out the errors are a goodness of fit; the hold-out column is a prediction of levels the fit did not see. A level that misses says the experiment has a cost the model lacks or is noisier than the miss (see the rounds spread): on a shared machine, mostly other processes taking the cores. See docs/calibration.md.",
    '',
  );
  return out.join('\n');
}

/** The chart: measured (solid) and predicted (dashed) throughput against concurrency, per primitive. */
export function calibrationChart(c: Calibration): ChartSpec {
  const datasets: DatasetData[] = [];
  c.primitives.forEach((p, i) => {
    const color = strategyColor(i);
    const rows = c.levels.filter((l) => l.primitive === p.id);
    datasets.push({
      label: `${p.id} measured`,
      data: rows.map((r) => ({ x: r.concurrency, y: Math.round(r.measured.throughput) })),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 2,
      pointRadius: 3,
    });
    datasets.push({
      label: `${p.id} predicted`,
      data: rows.map((r) => ({ x: r.concurrency, y: Math.round(r.predicted.throughput) })),
      borderColor: color,
      backgroundColor: color,
      borderWidth: 2,
      borderDash: [6, 4],
      pointRadius: 0,
    });
  });
  return lineChartSpec(
    'calibration',
    `${c.target.kind}: measured vs predicted throughput`,
    'solid: measured · dashed: predicted (flashsim, fitted inputs)',
    'Solid: measured; dashed: flashsim with the fitted inputs. The gap at a level is the throughput error.',
    datasets,
    chartAxis('closed-loop clients', 'compact', { type: 'logarithmic' }),
    chartAxis('takes/s', 'compact', { beginAtZero: true }),
  );
}

/** Every file of the calibration, by name in the output directory. */
export function renderCalibrationFiles(c: Calibration): Map<string, string | Uint8Array> {
  const files = new Map<string, string | Uint8Array>();
  files.set('calibration.json', renderCalibrationJson(c));
  files.set('calibration.md', renderCalibrationMd(c));
  files.set('calibration.png', renderChartPng(calibrationChart(c)));
  const best = recommended(c);
  if (best) files.set('scenario-fragment.yaml', scenarioFragment(best, c));
  return files;
}
