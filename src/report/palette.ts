/**
 * Colours of every chart and of the HTML report.
 *
 * A strategy keeps one colour everywhere: its colour is picked by its
 * position in the run's strategy list (the scenario's order), from a fixed
 * palette that starts with the Okabe–Ito colours (distinguishable with the
 * common forms of colour blindness), darkened where the original is too
 * pale to read as a thin line on white.
 */

/** Strategy colours, by strategy order (wraps around after the last). */
export const STRATEGY_COLORS: readonly string[] = [
  '#0072b2', // blue
  '#d55e00', // vermillion
  '#009e73', // bluish green
  '#cc79a7', // reddish purple
  '#e69f00', // orange
  '#56b4e9', // sky blue
  '#8c6d1f', // dark ochre (Okabe–Ito yellow is unreadable on white)
  '#444444', // dark grey
  '#7b3294', // purple
  '#1b7837', // dark green
];

/** The colour of the strategy at position `index` in the run's strategy list. */
export function strategyColor(index: number): string {
  const n = STRATEGY_COLORS.length;
  return STRATEGY_COLORS[((index % n) + n) % n];
}

/** `#rrggbb` with an alpha in [0, 1] → `rgba(r, g, b, a)`. */
export function withAlpha(hex: string, alpha: number): string {
  const m = /^#([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(hex);
  if (!m) throw new RangeError(`not a #rrggbb colour: ${hex}`);
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => parseInt(h, 16));
  return `rgba(${r}, ${g}, ${b}, ${alpha})`;
}

/** User outcomes: good is green, lost races are greys and oranges, refusals red. */
export const OUTCOME_COLORS: Readonly<Record<string, string>> = {
  won: '#1a9850',
  soldOut: '#7f8fa6',
  saleEnded: '#f39c12',
  blocked: '#c0392b',
  gaveUp: '#8e44ad',
  pending: '#cfd3d8',
};

/** Order flow series: attempts (all clicks reaching the order servers), admitted, rejected. */
export const FLOW_COLORS = {
  attempts: '#34495e',
  admitted: '#1a9850',
  rejected: '#c0392b',
} as const;

/** Markers: T0 and neutral reference lines. */
export const MARKER_COLOR = '#222222';

/** Pass / fail badges in the HTML report; `caught` is a declared violation that happened (a pass). */
export const BADGE_COLORS = { pass: '#1a7f37', fail: '#cf222e', none: '#6e7781', caught: '#8250df' } as const;
