import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { expandSweep } from '../../src/scenario/sweep.js';
import { loadScenario } from '../../src/scenario/load.js';
import { resolveStrategies } from '../../src/scenario/strategies.js';
import { MAX_SWEEP_POINTS } from '../../src/scenario/sweep.js';

describe('expandSweep', () => {
  test('the cartesian grid, first parameter varying slowest', () => {
    expect(expandSweep(['system.orderServers.servers=5,10', 'system.cdn.coalesce=true,false'])).toEqual([
      ['system.orderServers.servers=5', 'system.cdn.coalesce=true'],
      ['system.orderServers.servers=5', 'system.cdn.coalesce=false'],
      ['system.orderServers.servers=10', 'system.cdn.coalesce=true'],
      ['system.orderServers.servers=10', 'system.cdn.coalesce=false'],
    ]);
  });

  test('commas inside parentheses, brackets and quotes do not split values; spaces are trimmed', () => {
    expect(expandSweep(['users.refresh=lognormal(5s, 0.6), exp(5s)', 'users.arrival={kind: burst, at: 1m},"a,b"'])).toEqual([
      ['users.refresh=lognormal(5s, 0.6)', 'users.arrival={kind: burst, at: 1m}'],
      ['users.refresh=lognormal(5s, 0.6)', 'users.arrival="a,b"'],
      ['users.refresh=exp(5s)', 'users.arrival={kind: burst, at: 1m}'],
      ['users.refresh=exp(5s)', 'users.arrival="a,b"'],
    ]);
  });

  test('no parameters: one point without assignments; one value: one point', () => {
    expect(expandSweep([])).toEqual([[]]);
    expect(expandSweep(['sale.stock=100'])).toEqual([['sale.stock=100']]);
  });

  test('bad parameters are usage errors', () => {
    expect(() => expandSweep(['sale.stock'])).toThrow(UsageError);
    expect(() => expandSweep(['sale.stock'])).toThrow(
      'sweep parameter "sale.stock": expected path=v1,v2,… such as system.orderServers.servers=5,10,20',
    );
    expect(() => expandSweep(['sale.stok=1,2'])).toThrow(
      'sweep parameter "sale.stok=1,2": unknown path: sale has no key "stok" (did you mean "stock"?)',
    );
    expect(() => expandSweep(['sale.stock=1,,2'])).toThrow('sweep parameter "sale.stock=1,,2": empty value');
    expect(() => expandSweep(['sale.stock=1', 'sale.stock=2'])).toThrow('sweep parameter "sale.stock=2": sale.stock is swept twice');
    expect(() => expandSweep(['sale.stock=1,2,1'])).toThrow('sweep parameter "sale.stock=1,2,1": value 1 is given twice');
    // Every point runs with the run's seed and replications: --seed and --replications set them.
    expect(() => expandSweep(['seed=1,2'])).toThrow(
      'sweep parameter "seed=1,2": seed belongs to the run, not to a point: every point runs with the same seed; set it with --seed',
    );
    expect(() => expandSweep(['replications=1,2'])).toThrow(
      'sweep parameter "replications=1,2": replications belongs to the run, not to a point: every point runs with the same replications; set it with --replications',
    );
  });

  test(`a grid of more than ${MAX_SWEEP_POINTS} points is refused before it is built`, () => {
    const values = (n: number) => Array.from({ length: n }, (_, i) => i + 1).join(',');
    expect(expandSweep([`sale.stock=${values(10)}`, `system.orderServers.servers=${values(100)}`])).toHaveLength(MAX_SWEEP_POINTS);
    expect(() =>
      expandSweep([`sale.stock=${values(10)}`, `system.orderServers.servers=${values(100)}`, 'system.orderServers.slots=1,2']),
    ).toThrow(
      'the sweep grid has 2,000 points (10 (sale.stock) × 100 (system.orderServers.servers) × 2 (system.orderServers.slots)); at most 1,000: sweep fewer values, or split the sweep',
    );
    // Six axes of 100 values would be 10^12 points: refused without building them.
    const huge = [
      'sale.stock',
      'system.orderServers.servers',
      'system.orderServers.slots',
      'users.count',
      'system.origin.servers',
      'system.origin.concurrency',
    ].map((p) => `${p}=${values(100)}`);
    expect(() => expandSweep(huge)).toThrow('the sweep grid has 1,000,000,000,000 points');
  });

  test('grid points work as --set for resolveStrategies', () => {
    const loaded = loadScenario('scenarios/smoke.yaml');
    const counts = expandSweep(['system.orderServers.servers=2,8']).map(
      (set) => resolveStrategies(loaded, { strategies: ['seed-design'], set })[0].config.system.orderServers.servers,
    );
    expect(counts).toEqual([2, 8]);
  });
});
