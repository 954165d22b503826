/**
 * Import rules (docs/architecture.md): every folder of src/ is a layer and
 * imports only from the layers below it; no cycles, not even through
 * type-only imports. `npm run lint:imports` checks them.
 */
const LAYERS = [
  'errors',
  'kernel',
  'metrics',
  'scenario',
  'fit',
  'system',
  'workload',
  'results',
  'model',
  'verify',
  'report',
  'calibrate',
  'execute',
  'app',
  'index',
  'cli',
];

const layerOf = (name) => `^src/${name === 'errors' || name === 'index' ? `${name}\\.ts$` : `${name}/`}`;

/** A rule per layer: it may not import any layer above it. */
const upward = LAYERS.map((layer, i) => ({
  name: `no-upward-from-${layer}`,
  comment: `${layer} may import only from ${LAYERS.slice(0, i).join(', ') || 'nothing in src'} (and itself)`,
  severity: 'error',
  from: { path: layerOf(layer) },
  to: { path: LAYERS.slice(i + 1).map(layerOf) },
})).filter((rule) => rule.to.path.length > 0);

module.exports = {
  forbidden: [
    { name: 'no-cycles', severity: 'error', from: {}, to: { circular: true } },
    {
      name: 'layers-are-known',
      comment: 'every module of src/ belongs to a layer listed in .dependency-cruiser.cjs',
      severity: 'error',
      from: { path: '^src/', pathNot: LAYERS.map(layerOf) },
      to: {},
    },
    ...upward,
    {
      name: 'src-not-from-tests-or-bench',
      severity: 'error',
      from: { path: '^src/' },
      to: { path: '^(test|bench)/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    exclude: { path: '^dist/' },
  },
};
