import { chartPath, type ChartSpec } from './types.js';

/** Markdown linking every chart image (for summary.md: paths relative to the run directory). */
export function renderChartsMarkdown(charts: readonly ChartSpec[]): string {
  if (charts.length === 0) return '';
  const lines = ['## Charts', '', 'Interactive versions of all charts: [report.html](report.html).', ''];
  for (const c of charts) lines.push(`### ${c.title}`, '', `![${c.title.replace(/[[\]]/g, '')}](${chartPath(c)})`, '', c.caption, '');
  return lines.join('\n');
}
