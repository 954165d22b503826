/** The discrete-event kernel: knows nothing of flash sales. */
export * from './event-queue.js';
export * from './simulation.js';
export * from './random.js';
export * from './distributions.js';
export * from './units.js';
export * from './aligned-buffer.js';
export * from './stats/index.js';
export * from './multi-server-queue.js';
