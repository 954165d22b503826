import fc from 'fast-check';

// Property tests draw from a fixed seed so CI is repeatable; set FC_SEED to
// explore other seeds locally (a failure prints the seed and path to replay).
fc.configureGlobal({ seed: Number(process.env.FC_SEED ?? 20261125) });
