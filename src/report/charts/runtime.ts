/* The chart runtime shared by the PNG renderer (Node) and report.html (the browser). */

/**
 * Chart specs are plain JSON data, so that the PNG renderer and the HTML
 * report draw the same configuration. What JSON cannot carry (tick
 * formatters, legend filters, drawing of marker lines and error bars) is
 * named in the data by `flashsim*` hints and supplied here:
 *
 * - plugin `flashsimBackground`: fills the canvas white (PNGs are otherwise
 *   transparent);
 * - plugin `flashsimMarkers`: `options.plugins.flashsimMarkers.lines` —
 *   vertical (`x`) or horizontal (`y`) lines with a label; labels of
 *   vertical lines are stacked in rows so that they never overlap;
 * - plugin `flashsimErrorBars`: a bar dataset's `flashsimErrors[i] = [low, high]`
 *   draws a confidence interval on bar i;
 * - plugin `flashsimBarLabels`: `options.plugins.flashsimBarLabels` writes
 *   each bar's value above it (`position: 'end'`) or inside stacked
 *   segments wide enough for it (`'inside'`);
 * - `scales.<id>.ticks.flashsimFormat` — `compact`, `percent`, `ms`,
 *   `seconds` (from T0) or `nines` (percentile axis) — becomes a tick
 *   callback (and the tooltip formats values the same way);
 * - `scales.<id>.flashsimTicks: number[]` — exactly these ticks;
 * - datasets with `flashsimBand: true` (confidence bands) are left out of
 *   the legend and the tooltip; a dashed line is dashed in the legend too.
 *
 * {@link installChartRuntime} is serialised with `Function.prototype.toString`
 * into report.html, so it must stay self-contained: no imports, no
 * references to anything outside its own body, plain JavaScript semantics.
 *
 * @param Chart the chart.js `Chart` class (the ESM export in Node, `window.Chart` in the browser).
 * @returns `hydrate(config)`, which adds the callbacks to a spec's config in place and returns it.
 */

export function installChartRuntime(Chart: any): (config: any) => any {
  const compact = new Intl.NumberFormat('en', { notation: 'compact', maximumFractionDigits: 1 });
  const plain = new Intl.NumberFormat('en', { maximumFractionDigits: 2 });
  const one = new Intl.NumberFormat('en', { maximumFractionDigits: 1 });
  const three = new Intl.NumberFormat('en', { maximumSignificantDigits: 3 });

  function trim(x: number): string {
    return Math.abs(x) >= 1000 ? compact.format(x) : plain.format(x);
  }

  /** Formats a value of an axis with the given format name. */
  function format(kind: string, value: number): string {
    if (typeof value !== 'number' || !isFinite(value)) return String(value);
    switch (kind) {
      case 'percent':
        return (Math.abs(value) >= 10 ? one.format(value) : plain.format(value)) + '%';
      case 'ms':
        if (value === 0) return '0';
        if (Math.abs(value) >= 1000) return three.format(value / 1000) + ' s';
        if (Math.abs(value) < 1) return three.format(value * 1000) + ' µs';
        return three.format(value) + ' ms';
      case 'seconds':
        if (Math.abs(value) < 1e-9) return 'T0';
        return (value > 0 ? '+' : '−') + plain.format(Math.abs(value)) + ' s';
      case 'nines': {
        const p = 100 * (1 - Math.pow(10, -value));
        return (p < 99.99 ? plain.format(p) : String(Math.round(p * 1e4) / 1e4)) + '%';
      }
      default:
        return trim(value);
    }
  }

  /** Whether a #rrggbb colour is light (dark text reads better on it). */
  function isLight(color: unknown): boolean {
    const m = typeof color === 'string' ? /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(color) : null;
    if (!m) return false;
    const [r, g, b] = [m[1], m[2], m[3]].map((h) => parseInt(h, 16) / 255);
    return 0.2126 * r + 0.7152 * g + 0.0722 * b > 0.6;
  }

  /** On a log axis, label 1·10^k (and 2·, 5· when the axis spans few decades) only. */
  function keepLogTick(value: number, ticks: any[]): boolean {
    if (value <= 0) return false;
    const mantissa = value / Math.pow(10, Math.floor(Math.log10(value) + 1e-9));
    const round = Math.round(mantissa * 100) / 100;
    const values = ticks.map((t: any) => t.value).filter((v: number) => v > 0);
    const decades = values.length > 1 ? Math.log10(Math.max(...values) / Math.min(...values)) : 0;
    return round === 1 || (decades <= 2.5 && (round === 2 || round === 5));
  }

  if (!Chart.registry.plugins.get('flashsimMarkers')) {
    Chart.register({
      id: 'flashsimBackground',
      defaults: { color: '#ffffff' },
      beforeDraw(chart: any, _args: any, options: any) {
        const ctx = chart.ctx;
        ctx.save();
        ctx.globalCompositeOperation = 'destination-over';
        ctx.fillStyle = options.color;
        ctx.fillRect(0, 0, chart.width, chart.height);
        ctx.restore();
      },
    });
    Chart.register({
      id: 'flashsimMarkers',
      defaults: { lines: [] },
      afterDatasetsDraw(chart: any, _args: any, options: any) {
        const lines = options.lines || [];
        if (lines.length === 0) return;
        const area = chart.chartArea;
        const ctx = chart.ctx;
        const xScale = chart.scales.x;
        const yScale = chart.scales.y;
        const font = '12px ' + (Chart.defaults.font.family || 'sans-serif');
        const rowHeight = 16;
        const rows: Array<Array<[number, number]>> = [];
        ctx.save();
        ctx.font = font;
        for (const line of lines) {
          const color = line.color || '#222222';
          const vertical = typeof line.x === 'number';
          const scale = vertical ? xScale : yScale;
          if (!scale) continue;
          const value = vertical ? line.x : line.y;
          if (value < scale.min || value > scale.max) continue;
          const p = scale.getPixelForValue(value);
          ctx.strokeStyle = color;
          ctx.lineWidth = line.width || 1.5;
          ctx.setLineDash(line.dash || []);
          ctx.beginPath();
          if (vertical) {
            ctx.moveTo(p, area.top);
            ctx.lineTo(p, area.bottom);
          } else {
            ctx.moveTo(area.left, p);
            ctx.lineTo(area.right, p);
          }
          ctx.stroke();
          ctx.setLineDash([]);
          if (!line.label) continue;
          const width = ctx.measureText(line.label).width + 8;
          let x0: number;
          let y0: number;
          if (vertical) {
            // Right of the line, or left of it near the right edge; first row where it fits.
            x0 = p + 3 + width <= area.right ? p + 3 : Math.max(area.left, p - 3 - width);
            let row = 0;
            while (rows[row] && rows[row].some((r) => x0 < r[1] && x0 + width > r[0])) row++;
            (rows[row] = rows[row] || []).push([x0, x0 + width]);
            y0 = area.top + 2 + row * rowHeight;
          } else {
            // At the left end by default (before T0 little happens), or the right end on request.
            x0 = line.align === 'right' ? area.right - width - 2 : area.left + 2;
            y0 = p - rowHeight - 1 < area.top ? p + 2 : p - rowHeight - 1;
          }
          ctx.fillStyle = 'rgba(255, 255, 255, 0.85)';
          ctx.fillRect(x0, y0, width, rowHeight - 2);
          ctx.fillStyle = color;
          ctx.textBaseline = 'middle';
          ctx.textAlign = 'left';
          ctx.fillText(line.label, x0 + 4, y0 + (rowHeight - 2) / 2);
        }
        ctx.restore();
      },
    });
    Chart.register({
      id: 'flashsimErrorBars',
      afterDatasetsDraw(chart: any) {
        const ctx = chart.ctx;
        const area = chart.chartArea;
        ctx.save();
        ctx.beginPath();
        ctx.rect(area.left, area.top, area.right - area.left, area.bottom - area.top);
        ctx.clip();
        chart.data.datasets.forEach((dataset: any, i: number) => {
          const errors = dataset.flashsimErrors;
          if (!errors || !chart.isDatasetVisible(i)) return;
          const meta = chart.getDatasetMeta(i);
          const yScale = chart.scales[meta.yAxisID];
          meta.data.forEach((bar: any, j: number) => {
            const e = errors[j];
            if (!e || e[0] === null || e[1] === null) return;
            const lo = yScale.getPixelForValue(e[0]);
            const hi = yScale.getPixelForValue(e[1]);
            const cap = Math.min(10, (bar.width || 20) / 4);
            ctx.strokeStyle = '#222222';
            ctx.lineWidth = 1.5;
            ctx.beginPath();
            ctx.moveTo(bar.x, lo);
            ctx.lineTo(bar.x, hi);
            ctx.moveTo(bar.x - cap, lo);
            ctx.lineTo(bar.x + cap, lo);
            ctx.moveTo(bar.x - cap, hi);
            ctx.lineTo(bar.x + cap, hi);
            ctx.stroke();
          });
        });
        ctx.restore();
      },
    });
    Chart.register({
      id: 'flashsimBarLabels',
      defaults: { display: false, format: '', position: 'end' },
      afterDatasetsDraw(chart: any, _args: any, options: any) {
        if (!options.display) return;
        const ctx = chart.ctx;
        const horizontal = chart.options.indexAxis === 'y';
        ctx.save();
        ctx.font = '12px ' + (Chart.defaults.font.family || 'sans-serif');
        chart.data.datasets.forEach((dataset: any, i: number) => {
          if (!chart.isDatasetVisible(i)) return;
          const meta = chart.getDatasetMeta(i);
          const valueScale = chart.scales[horizontal ? meta.xAxisID : meta.yAxisID];
          meta.data.forEach((bar: any, j: number) => {
            const value = dataset.data[j];
            if (value === null || value === undefined) return;
            const text = options.format ? format(options.format, value) : trim(value);
            const width = ctx.measureText(text).width;
            if (options.position === 'inside') {
              const length = horizontal ? Math.abs(bar.x - bar.base) : Math.abs(bar.y - bar.base);
              if (length < width + 8) return;
              const bg = Array.isArray(dataset.backgroundColor) ? dataset.backgroundColor[j] : dataset.backgroundColor;
              ctx.fillStyle = isLight(bg) ? '#222222' : '#ffffff';
              ctx.textAlign = 'center';
              ctx.textBaseline = 'middle';
              ctx.fillText(text, horizontal ? (bar.x + bar.base) / 2 : bar.x, horizontal ? bar.y : (bar.y + bar.base) / 2);
            } else {
              const errors = dataset.flashsimErrors && dataset.flashsimErrors[j];
              const top = errors && errors[1] !== null ? Math.min(bar.y, valueScale.getPixelForValue(errors[1])) : bar.y;
              ctx.fillStyle = '#222222';
              ctx.textAlign = 'center';
              ctx.textBaseline = 'bottom';
              ctx.fillText(text, bar.x, Math.max(chart.chartArea.top + 12, top - 4));
            }
          });
        });
        ctx.restore();
      },
    });
  }

  return function hydrate(config: any): any {
    const options = (config.options = config.options || {});
    const scales = options.scales || {};
    for (const id of Object.keys(scales)) {
      const scale = scales[id];
      const ticks = (scale.ticks = scale.ticks || {});
      const kind = ticks.flashsimFormat;
      if (kind) {
        const log = scale.type === 'logarithmic';
        ticks.callback = function (value: number, _index: number, all: any[]) {
          if (log && !keepLogTick(value, all)) return '';
          return format(kind, value);
        };
        if (log) {
          const grid = (scale.grid = scale.grid || {});
          const major = grid.color || '#e0e0e0';
          grid.color = function (c: any) {
            return c.tick && keepLogTick(c.tick.value, c.scale.ticks) ? major : '#f3f3f3';
          };
        }
      }
      if (Array.isArray(scale.flashsimTicks)) {
        const wanted = scale.flashsimTicks;
        scale.afterBuildTicks = function (axis: any) {
          axis.ticks = wanted.filter((v: number) => v >= axis.min - 1e-9 && v <= axis.max + 1e-9).map((v: number) => ({ value: v }));
        };
      }
    }
    const plugins = (options.plugins = options.plugins || {});
    const legend = (plugins.legend = plugins.legend || {});
    const labels = (legend.labels = legend.labels || {});
    labels.filter = function (item: any, data: any) {
      const ds = data.datasets[item.datasetIndex];
      return !(ds && ds.flashsimBand);
    };
    // A point-style legend entry takes its look from the dataset's point, which has no dash:
    // give it the line's own, so that a dashed or dotted series shows so in the legend.
    labels.generateLabels = function (chart: any) {
      const items = Chart.defaults.plugins.legend.labels.generateLabels(chart);
      for (const item of items) {
        const ds = chart.data.datasets[item.datasetIndex];
        if (ds && Array.isArray(ds.borderDash)) item.lineDash = ds.borderDash;
      }
      return items;
    };
    const tooltip = (plugins.tooltip = plugins.tooltip || {});
    tooltip.filter = function (item: any) {
      return !item.dataset.flashsimBand;
    };
    const yKind = scales.y && scales.y.ticks && scales.y.ticks.flashsimFormat;
    const xKind = scales.x && scales.x.ticks && scales.x.ticks.flashsimFormat;
    const horizontal = options.indexAxis === 'y';
    tooltip.callbacks = tooltip.callbacks || {};
    tooltip.callbacks.label = function (item: any) {
      const value = horizontal ? item.parsed.x : item.parsed.y;
      const kind = horizontal ? xKind : yKind;
      const text = value === null || value === undefined ? '—' : kind ? format(kind, value) : trim(value);
      return (item.dataset.label ? item.dataset.label + ': ' : '') + text;
    };
    if (xKind && !horizontal && config.type !== 'bar') {
      tooltip.callbacks.title = function (items: any[]) {
        return items.length ? format(xKind, items[0].parsed.x) : '';
      };
    }
    return config;
  };
}
