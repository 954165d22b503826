import { cdfOf, quantileOf } from '../../fit/families.js';
import { quantileSorted, type FitReport } from '../../fit/fit.js';
import { MARKER_COLOR, strategyColor } from '../palette.js';
import { renderChartPng } from './render.js';
import { chartAxis as axis, lineChartSpec as lineChart } from './line-chart.js';
import type { ChartSpec, DatasetData } from './types.js';

/**
 * `sim fit --out`: two charts of a fit. `fit-cdf`: the samples' empirical
 * CDF against the fitted CDFs of the ranked families (best first, the best
 * drawn thickest). `fit-qq`: the best fit's quantile–quantile plot, sample
 * quantiles against the fitted ones, with the diagonal a perfect fit lies
 * on. Latencies are drawn in ms.
 */

/** Points per fitted curve, and of the empirical CDF and the QQ plot at most. */
const CURVE_POINTS = 200;
/** Ranked families drawn on the CDF chart (the rest add nothing readable). */
const MAX_FITS_DRAWN = 4;

function round(x: number): number {
  return Number(x.toPrecision(6));
}

/** Probabilities at which curves are evaluated: (i + ½) / points. */
function probabilities(points: number): number[] {
  return Array.from({ length: points }, (_, i) => (i + 0.5) / points);
}

/**
 * The two chart specs of a fit.
 *
 * @param report the fit.
 * @param sorted the samples, µs, ascending.
 * @param label what the samples are (the file), for the titles.
 */
export function buildFitCharts(report: FitReport, sorted: ArrayLike<number>, label: string): ChartSpec[] {
  const ms = (us: number): number => round(us / 1e3);
  // The x range: the samples' 0.1% to 99.9% quantiles, so one outlier does not squash the curves.
  const lo = quantileSorted(sorted, 0.001);
  const hi = quantileSorted(sorted, 0.999);
  const xs = Array.from({ length: CURVE_POINTS + 1 }, (_, i) => lo + ((hi - lo) * i) / CURVE_POINTS);
  const empirical: DatasetData = {
    label: `samples (${report.summary.n.toLocaleString('en-US')})`,
    data: probabilities(CURVE_POINTS).map((p) => ({ x: ms(quantileSorted(sorted, p)), y: round(p) })),
    borderColor: '#222222',
    backgroundColor: '#222222',
    borderWidth: 0,
    pointRadius: 2,
    showLine: false,
    order: 0,
  };
  const ranked = report.fits.filter((f) => f.rank !== null).slice(0, MAX_FITS_DRAWN);
  const fitted: DatasetData[] = ranked.map((f, i) => {
    const cdf = cdfOf(f.spec);
    return {
      label: `${i === 0 ? 'best: ' : ''}${f.value}`,
      data: xs.map((x) => ({ x: ms(x), y: round(cdf(x)) })),
      borderColor: strategyColor(i),
      backgroundColor: strategyColor(i),
      borderWidth: i === 0 ? 3 : 1.5,
      pointRadius: 0,
      fill: false,
      tension: 0,
      order: 1 + i,
      ...(i === 0 ? {} : { borderDash: [6, 4] }),
    };
  });
  const cdfChart = lineChart(
    'fit-cdf',
    `Measured latencies against the fitted distributions`,
    `${label}: empirical CDF (dots) and the ${ranked.length} best-ranked fits (by Anderson–Darling A²)`,
    "Where the best fit's curve leaves the dots, the model draws latencies the system did not show.",
    [empirical, ...fitted],
    axis('latency', 'ms', { min: ms(lo), max: ms(hi) }),
    axis('cumulative probability', 'compact', { min: 0, max: 1 }),
  );

  const best = report.best;
  const quantile = quantileOf(best.spec);
  const qq = probabilities(CURVE_POINTS).map((p) => ({ x: ms(quantile(p)), y: ms(quantileSorted(sorted, p)) }));
  const top = Math.max(...qq.map((q) => Math.max(q.x, q.y)));
  const bottom = Math.min(...qq.map((q) => Math.min(q.x, q.y)));
  const qqChart = lineChart(
    'fit-qq',
    `QQ plot: ${best.value}`,
    `${label}: sample quantiles against the best fit's, at ${CURVE_POINTS} probabilities; on the diagonal the fit is exact`,
    "Points above the diagonal at the right: the measured tail is heavier than the fit's.",
    [
      {
        label: `quantiles (${best.value})`,
        data: qq,
        borderColor: strategyColor(0),
        backgroundColor: strategyColor(0),
        borderWidth: 0,
        pointRadius: 3,
        showLine: false,
        order: 0,
      },
      {
        label: 'perfect fit',
        data: [
          { x: bottom, y: bottom },
          { x: top, y: top },
        ],
        borderColor: MARKER_COLOR,
        backgroundColor: MARKER_COLOR,
        borderWidth: 1,
        borderDash: [4, 4],
        pointRadius: 0,
        fill: false,
        order: 1,
      },
    ],
    axis(`fitted quantile (${best.family})`, 'ms'),
    axis('sample quantile', 'ms'),
  );
  return [cdfChart, qqChart];
}

/** The PNGs of {@link buildFitCharts}, by file name (`fit-cdf.png`, `fit-qq.png`). */
export function renderFitChartFiles(report: FitReport, sorted: ArrayLike<number>, label: string): Map<string, Buffer> {
  return new Map(buildFitCharts(report, sorted, label).map((spec) => [`${spec.id}.png`, renderChartPng(spec)]));
}
