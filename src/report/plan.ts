/**
 * Renderers of a plan (plan.json's content): plan.md, the console text,
 * and report.html with the Pareto front of cost against each constrained
 * metric and a sensitivity (tornado) chart per constrained metric and for
 * the cost, drawn with the same chart layout and runtime as a run's report.
 */
import { METRIC_CATALOGUE } from '../metrics/catalogue.js';
import type { MonotonicityViolation, PlanCandidate, PlanResult } from '../results/plan.js';
import { chartSpec } from './charts/specs.js';
import type { ChartSpec, DatasetData } from './charts/types.js';
import { formatMetricValue } from './console-table.js';
import { escapeHtml, pageEnd, pageStart } from './html.js';
import { BADGE_COLORS, strategyColor } from './palette.js';

/** A constraint's value as a reader wants it (invariants: the share of replications holding). */
function shown(plan: PlanResult, id: string, value: number | null): string {
  const c = plan.constraints.find((x) => x.id === id);
  if (value === null) return '—';
  if (!c || c.kind === 'invariant') return `${(value * 100).toFixed(0)}% held`;
  return formatMetricValue(c.metric!, value);
}

function money(plan: PlanResult, x: number | null): string {
  return x === null ? '—' : `${x.toFixed(2)} ${plan.currency}`;
}

function valuesText(values: Record<string, string | number>): string {
  return Object.entries(values)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');
}

function interval(plan: PlanResult, id: string, c: PlanCandidate['constraints'][number]): string {
  if (c.low === null || c.high === null) return shown(plan, id, c.mean);
  return `${shown(plan, id, c.mean)} [${shown(plan, id, c.low)}, ${shown(plan, id, c.high)}]`;
}

/** "order_latency p(99)<1s: 120ms [110ms, 130ms] at maxWait=100ms → 410ms [400ms, 420ms] at 400ms". */
function violationText(plan: PlanResult, v: MonotonicityViolation): string {
  const side = (s: MonotonicityViolation['smaller']): string =>
    `${interval(plan, v.constraint, s.outcome)} (${s.outcome.holds === true ? 'holds' : s.outcome.holds === false ? 'fails' : 'undecided'})`;
  return `${v.constraint}: ${side(v.smaller)} at ${v.smaller.values[v.path]} → ${side(v.larger)} at ${v.larger.values[v.path]}`;
}

/**
 * One line per parameter whose declared monotonicity the simulated
 * candidates contradict: the first pair, how many in all, and the fix.
 */
export function monotonicityLines(plan: PlanResult): string[] {
  const paths = [...new Set(plan.monotonicityViolations.map((v) => v.path))];
  return paths.map((path) => {
    const all = plan.monotonicityViolations.filter((v) => v.path === path);
    const more = all.length > 1 ? ` (${all.length} pairs in all)` : '';
    return `not monotone: more of ${path} was decisively worse between two simulated candidates, ${violationText(plan, all[0])}${more}; the search bisected and pruned on the assumption that more never hurts, so a cheaper plan may have been missed: declare \`monotone: false\` for ${path}`;
  });
}

/** The first lines: what was found, at what cost, and how much it took. */
export function planHeadline(plan: PlanResult): string[] {
  const lines: string[] = [];
  if (plan.best) {
    const c = plan.best.cost;
    lines.push(`cheapest feasible plan: ${valuesText(plan.best.values)}`);
    lines.push(
      `cost: ${money(plan, c.perHour)}/h, ${money(plan, c.total)} for ${plan.hours} h${c.per1000Orders !== null ? `, ${money(plan, c.per1000Orders)} per 1,000 orders` : ''}`,
    );
  } else {
    lines.push('no feasible plan within the ranges');
    for (const b of plan.binding) lines.push(`binding: ${b.id}: ${b.reason}`);
  }
  lines.push(
    `search: ${plan.runs} simulations (${plan.candidates.length} candidates${plan.inferred ? `, ${plan.inferred} more ruled out by monotonicity` : ''}) against a grid of ${plan.gridSize} candidates × ${plan.replications.batch} replications = ${plan.gridRuns}`,
  );
  lines.push(...monotonicityLines(plan));
  return lines;
}

/** The console text of `sim plan`. */
export function renderPlanText(plan: PlanResult): string {
  const lines = [`[${plan.scenario.name}] plan (${plan.strategy}, seed ${plan.seed})`, ...planHeadline(plan).map((l) => `  ${l}`)];
  if (plan.best) {
    for (const c of plan.best.constraints) lines.push(`  ${c.id}: ${interval(plan, c.id, c)}`);
  }
  return `${lines.join('\n')}\n`;
}

function cell(text: string): string {
  return text.replace(/\|/g, '\\|');
}

/** plan.md. */
export function renderPlanMarkdown(plan: PlanResult): string {
  const out: string[] = [`# Plan: ${plan.scenario.name}`, ''];
  if (plan.scenario.description) out.push(plan.scenario.description.trim(), '');
  out.push(`Scenario \`${plan.scenario.file}\`, strategy \`${plan.strategy}\`, seed ${plan.seed}, search ${plan.search}.`, '');
  for (const l of planHeadline(plan)) out.push(`- ${l}`);
  out.push('');
  out.push(
    `A candidate is feasible when every invariant holds in every replication and every threshold holds at the pessimistic end of its 95% confidence interval; replications are added ${plan.replications.batch} at a time up to ${plan.replications.max} until each interval lies on one side of its limit (an undecided candidate counts as infeasible).`,
    '',
  );
  out.push('## Parameters', '', '| parameter | values | monotone |', '|---|---|---|');
  for (const p of plan.parameters) {
    const values =
      p.values.length > 8
        ? `${p.values.slice(0, 3).join(', ')}, …, ${p.values.slice(-2).join(', ')} (${p.values.length})`
        : p.values.join(', ');
    out.push(`| \`${p.path}\` | ${cell(values)} | ${p.monotone ? 'yes' : 'no'} |`);
  }
  if (plan.uncertain.length > 0) {
    out.push('', '## Uncertain inputs', '', '| input | low | high | distribution |', '|---|---|---|---|');
    for (const u of plan.uncertain) out.push(`| \`${u.path}\` | ${u.low} | ${u.high} | ${u.distribution} |`);
  }
  if (plan.best) {
    out.push('', '## Best plan', '', '| constraint | mean [95% CI] | verdict |', '|---|---|---|');
    for (const c of plan.best.constraints)
      out.push(`| \`${cell(c.id)}\` | ${cell(interval(plan, c.id, c))} | ${c.holds ? 'holds' : 'fails'} |`);
  }
  if (plan.sensitivity.length > 0) {
    out.push(
      '',
      '## Sensitivity at the best plan',
      '',
      'One step of each parameter down and up: the change of cost per hour and of each constraint’s mean.',
      '',
    );
    const ids = plan.constraints.map((c) => c.id);
    out.push(`| parameter | step | verdict | cost/h | ${ids.map((id) => `\`${cell(id)}\``).join(' | ')} |`);
    out.push(`|---|---|---|---|${ids.map(() => '---|').join('')}`);
    for (const s of plan.sensitivity) {
      for (const [name, side] of [
        ['down', s.down],
        ['up', s.up],
      ] as const) {
        if (!side) continue;
        const deltas = ids.map((id) => {
          const d = side.deltas[id];
          if (d === null || d === undefined) return '—';
          const c = plan.constraints.find((x) => x.id === id)!;
          const text = c.kind === 'invariant' ? `${(d * 100).toFixed(0)} pp` : formatMetricValue(c.metric!, Math.abs(d));
          return d === 0 ? '0' : `${d > 0 ? '+' : '−'}${text.replace(/^-/, '')}`;
        });
        out.push(
          `| \`${s.path}\` | ${name} to ${side.value} | ${side.verdict} | ${side.costDelta >= 0 ? '+' : ''}${side.costDelta.toFixed(2)} | ${deltas.join(' | ')} |`,
        );
      }
    }
  }
  if (plan.monotonicityViolations.length > 0) {
    out.push(
      '',
      '## Monotonicity violations',
      '',
      'Pairs of simulated candidates that differ only in a parameter declared monotone, where the one with more is decisively worse: the constraint holds with less and fails with more (verdict), or the interval with more lies wholly on the wrong side of the one with less (interval). Declare `monotone: false` for such a parameter.',
      '',
      '| parameter | constraint | less: mean [95% CI] | more: mean [95% CI] | how |',
      '|---|---|---|---|---|',
    );
    for (const v of plan.monotonicityViolations) {
      const side = (s: MonotonicityViolation['smaller']) => cell(`${s.values[v.path]}: ${interval(plan, v.constraint, s.outcome)}`);
      out.push(`| \`${v.path}\` | \`${cell(v.constraint)}\` | ${side(v.smaller)} | ${side(v.larger)} | ${v.kind} |`);
    }
  }
  out.push('', '## Candidates simulated', '', `| values | cost/h | verdict | replications | why |`, '|---|---|---|---|---|');
  for (const c of plan.candidates) {
    out.push(
      `| ${cell(valuesText(c.values))} | ${c.cost.perHour.toFixed(2)} | ${c.verdict} | ${c.replications} | ${cell(c.reason ?? '')} |`,
    );
  }
  return `${out.join('\n')}\n`;
}

/** A metric value in the chart's unit: ms for µs metrics, % for fractions, else as is. */
function chartValue(metric: string | undefined, value: number): number {
  const info = metric ? (METRIC_CATALOGUE as Record<string, { unit: string } | undefined>)[metric] : undefined;
  if (info?.unit === 'µs') return value / 1000;
  if (info?.unit === 'fraction') return value * 100;
  return value;
}

function chartFormat(metric: string | undefined): 'ms' | 'percent' | 'compact' {
  const info = metric ? (METRIC_CATALOGUE as Record<string, { unit: string } | undefined>)[metric] : undefined;
  return info?.unit === 'µs' ? 'ms' : info?.unit === 'fraction' ? 'percent' : 'compact';
}

/** The charts of a plan: a front per constrained metric, then the tornado charts. */
export function planCharts(plan: PlanResult): ChartSpec[] {
  const charts: ChartSpec[] = [];
  plan.front.forEach((series, i) => {
    const k = plan.constraints.findIndex((c) => c.id === series.id);
    const c = plan.constraints[k];
    const point = (cand: { perHour: number; mean: number }) => ({ x: cand.perHour, y: chartValue(c.metric, cand.mean) });
    const all = plan.candidates.filter((cand) => cand.constraints[k].mean !== null);
    const datasets: DatasetData[] = [
      {
        label: 'feasible',
        data: all.filter((x) => x.verdict === 'feasible').map((x) => point({ perHour: x.cost.perHour, mean: x.constraints[k].mean! })),
        showLine: false,
        pointRadius: 5,
        backgroundColor: BADGE_COLORS.pass,
        borderColor: BADGE_COLORS.pass,
      },
      {
        label: 'infeasible or undecided',
        data: all.filter((x) => x.verdict !== 'feasible').map((x) => point({ perHour: x.cost.perHour, mean: x.constraints[k].mean! })),
        showLine: false,
        pointRadius: 5,
        backgroundColor: BADGE_COLORS.none,
        borderColor: BADGE_COLORS.none,
      },
      {
        label: 'Pareto front',
        data: series.points.map(point),
        borderColor: strategyColor(0),
        backgroundColor: strategyColor(0),
        pointRadius: 0,
        stepped: 'after',
      },
    ];
    charts.push(
      chartSpec({
        id: `front-${i + 1}`,
        title: `Cost against ${c.metric}`,
        subtitle: `constraint ${c.id} (dashed); every simulated candidate, mean over its replications`,
        caption: `Each candidate's cost per hour against the mean of ${c.metric}; the line joins the candidates no other beats on both.`,
        type: 'line',
        datasets,
        x: { type: 'linear', title: `cost per hour (${plan.currency})`, format: 'compact' },
        y: { type: 'linear', title: c.metric!, format: chartFormat(c.metric), beginAtZero: true },
        markers: [{ y: chartValue(c.metric, c.limit!), label: `limit ${c.expression}`, dash: [6, 4], color: BADGE_COLORS.fail }],
      }),
    );
  });
  if (plan.sensitivity.length > 0) {
    const targets: Array<{
      id: string;
      title: string;
      metric?: string;
      delta: (s: NonNullable<PlanResult['sensitivity'][number]['up']>) => number | null;
    }> = [
      { id: 'cost', title: `cost per hour (${plan.currency})`, delta: (s) => s.costDelta },
      ...plan.constraints
        .filter((c) => c.kind === 'threshold')
        .map((c) => ({
          id: c.id,
          title: c.id,
          metric: c.metric,
          delta: (s: { deltas: Record<string, number | null> }) => s.deltas[c.id] ?? null,
        })),
    ];
    targets.forEach((t, i) => {
      const labels = plan.sensitivity.map((s) => s.path);
      const bar = (side: 'down' | 'up'): Array<number | null> =>
        plan.sensitivity.map((s) => {
          const v = s[side] ? t.delta(s[side]) : null;
          return v === null ? null : t.metric ? chartValue(t.metric, v) : v;
        });
      charts.push(
        chartSpec({
          id: `sensitivity-${i + 1}`,
          title: `Sensitivity at the best plan: ${t.title}`,
          subtitle: 'change when one parameter moves one step down or up, the others at the best plan',
          caption: `How ${t.title} changes with one step of each parameter from the best plan.`,
          type: 'bar',
          horizontal: true,
          labels,
          datasets: [
            { label: 'one step down', data: bar('down'), backgroundColor: strategyColor(1) },
            { label: 'one step up', data: bar('up'), backgroundColor: strategyColor(0) },
          ],
          x: { type: 'linear', title: `change of ${t.title}`, format: t.metric ? chartFormat(t.metric) : 'compact' },
          y: { type: 'category', title: 'parameter' },
        }),
      );
    });
  }
  return charts;
}

function figure(spec: ChartSpec): string {
  return `<figure id="chart-${escapeHtml(spec.id)}"><div class="chart" style="aspect-ratio:${spec.width} / ${spec.height}"><canvas data-chart="${escapeHtml(spec.id)}" role="img" aria-label="${escapeHtml(spec.title)}"></canvas></div><figcaption>${escapeHtml(spec.caption)}</figcaption></figure>`;
}

/** report.html of a plan: the headline, the best plan's constraints, the charts and every candidate. */
export function renderPlanHtml(plan: PlanResult, charts: readonly ChartSpec[] = planCharts(plan)): string {
  const title = `${plan.scenario.name} — flashsim plan`;
  const rows = plan.candidates
    .map(
      (c) =>
        `<tr><td>${escapeHtml(valuesText(c.values))}</td><td>${c.cost.perHour.toFixed(2)}</td><td>${escapeHtml(c.verdict)}</td><td>${c.replications}</td><td>${escapeHtml(c.reason ?? '')}</td></tr>`,
    )
    .join('\n');
  const best = plan.best
    ? `<table><thead><tr><th>constraint</th><th>mean [95% CI]</th><th>verdict</th></tr></thead><tbody>${plan.best.constraints
        .map(
          (c) =>
            `<tr><td><code>${escapeHtml(c.id)}</code></td><td>${escapeHtml(interval(plan, c.id, c))}</td><td>${c.holds ? 'holds' : 'fails'}</td></tr>`,
        )
        .join('')}</tbody></table>`
    : '';
  return `${pageStart(title, `${plan.tool.name} ${plan.tool.version}`)}<header>
<h1>${escapeHtml(plan.scenario.name)}: capacity plan</h1>
${plan.scenario.description ? `<p class="description">${escapeHtml(plan.scenario.description.trim())}</p>` : ''}
<ul>${planHeadline(plan)
    .map((l) => `<li>${escapeHtml(l)}</li>`)
    .join('')}</ul>
</header>
<main>
<h2 id="best">Best plan</h2>
${best || '<p>No candidate within the ranges meets every constraint.</p>'}
<h2 id="charts">Charts</h2>
<noscript><p class="noscript">The charts need JavaScript (inlined in this file; nothing is downloaded).</p></noscript>
${charts.map(figure).join('\n')}
<h2 id="candidates">Candidates simulated</h2>
<table><thead><tr><th>values</th><th>cost/h (${escapeHtml(plan.currency)})</th><th>verdict</th><th>replications</th><th>why</th></tr></thead>
<tbody>
${rows}
</tbody></table>
</main>
<footer>${escapeHtml(`Generated by ${plan.tool.name} ${plan.tool.version} from plan.json (schema ${plan.schemaVersion}). Charts drawn with Chart.js, inlined; this file makes no network requests.`)}</footer>
${pageEnd(charts)}`;
}
