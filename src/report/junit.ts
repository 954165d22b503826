import { isFailure, verdictMessage } from './verdicts.js';
import { METRIC_CATALOGUE } from '../metrics/catalogue.js';
import { formatMetricValue } from './console-table.js';
import type { RunSummary } from '../results/summary.js';

/**
 * junit.xml for CI dashboards: one <testsuite> per strategy, named
 * `<scenario>/<strategy>`, holding one <testcase> per invariant
 * (classname `<scenario>.<strategy>.invariants`) and one per threshold
 * expression (classname `<scenario>.<strategy>.thresholds`). A violated
 * invariant or failed threshold is a <failure> with a one-line `message`
 * and the details (per replication, offending records) as its text.
 *
 * No timestamps or durations: the file is a function of summary.json, like
 * every other report.
 */

/** Replaces with U+FFFD the characters XML 1.0 forbids (C0 controls except tab/LF/CR, lone surrogates, U+FFFE/U+FFFF). */
function xmlChars(text: string): string {
  return text.replace(
    // eslint-disable-next-line no-control-regex -- matching the control characters XML forbids is the point.
    /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g,
    '\uFFFD',
  );
}

/** Escapes text for an XML attribute value (double-quoted) or element content. */
export function xmlEscape(text: string): string {
  return xmlChars(text)
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&apos;')
    .replace(/\r/g, '&#13;')
    .replace(/\n/g, '&#10;')
    .replace(/\t/g, '&#9;');
}

/** Escapes element content (newlines kept as they are). */
function xmlText(text: string): string {
  return xmlChars(text).replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

interface Case {
  classname: string;
  name: string;
  failure?: { message: string; details: string };
}

/**
 * A threshold's measured value with its unit, as CI shows it under the
 * failure: "actual: 600000 µs (600ms)", "actual: 0.807499 (80.7%)",
 * "actual: 500 orders" (the raw number alone read as 600,000 of something).
 */
function actualText(metric: string, actual: number | null): string {
  if (actual === null || actual === undefined) return 'actual: not measured';
  const info = (METRIC_CATALOGUE as Record<string, { unit: string } | undefined>)[metric];
  const readable = formatMetricValue(metric, actual);
  if (info?.unit === 'µs') return `actual: ${actual} µs (${readable})`;
  if (info?.unit === 'fraction' || info?.unit === 'probability') return `actual: ${actual} (${readable})`;
  return `actual: ${actual}${info ? ` ${info.unit}` : ''}`;
}

function details(value: unknown): string {
  return JSON.stringify(value, null, 2) ?? '';
}

/** junit.xml's text for a run's summary (see above). */
export function renderJunitXml(summary: RunSummary): string {
  const scenario = summary.scenario.name;
  const suites = summary.strategies.map((s) => {
    const cases: Case[] = [];
    for (const inv of s.invariants) {
      cases.push({
        classname: `${scenario}.${s.name}.invariants`,
        name: inv.name,
        failure: !isFailure(inv.verdict)
          ? undefined
          : inv.verdict === 'missed'
            ? { message: verdictMessage(inv), details: 'declared in expect.violates; it held in every replication' }
            : {
                message: inv.message,
                details: inv.replications
                  .filter((r) => !r.passed)
                  .map((r) => `replication ${r.replication}: ${r.message}\noffending: ${details(r.offending)}`)
                  .join('\n\n'),
              },
      });
    }
    for (const t of s.thresholds) {
      cases.push({
        classname: `${scenario}.${s.name}.thresholds`,
        name: `${t.metric}: ${t.expression}`,
        failure: !isFailure(t.verdict) ? undefined : { message: verdictMessage(t), details: actualText(t.metric, t.actual) },
      });
    }
    return { name: `${scenario}/${s.name}`, cases };
  });
  const count = (f: (c: Case) => boolean): number => suites.reduce((n, suite) => n + suite.cases.filter(f).length, 0);
  const lines = [
    '<?xml version="1.0" encoding="UTF-8"?>',
    `<testsuites name="${xmlEscape(`flashsim ${scenario}`)}" tests="${count(() => true)}" failures="${count((c) => !!c.failure)}" errors="0">`,
  ];
  for (const suite of suites) {
    const failures = suite.cases.filter((c) => c.failure).length;
    lines.push(`  <testsuite name="${xmlEscape(suite.name)}" tests="${suite.cases.length}" failures="${failures}" errors="0" skipped="0">`);
    for (const c of suite.cases) {
      const open = `    <testcase classname="${xmlEscape(c.classname)}" name="${xmlEscape(c.name)}"`;
      if (!c.failure) {
        lines.push(`${open}/>`);
      } else {
        lines.push(
          `${open}>`,
          `      <failure message="${xmlEscape(c.failure.message)}" type="${c.classname.endsWith('.invariants') ? 'invariant' : 'threshold'}">${xmlText(c.failure.details)}</failure>`,
          '    </testcase>',
        );
      }
    }
    lines.push('  </testsuite>');
  }
  lines.push('</testsuites>');
  return `${lines.join('\n')}\n`;
}
