/** Statistics of simulation output: time-weighted levels, latency histograms, time series, confidence intervals. */
export * from './gauge.js';
export * from './latency-histogram.js';
export * from './student-t.js';
export * from './summary.js';
export * from './difference-test.js';
