import { describe, expect, test } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { expandSweep, loadScenario, resolveStrategies } from '../../src/scenario/index.js';

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
    expect(() => expandSweep(['sale.stock'])).toThrow('sweep parameter "sale.stock": expected path=v1,v2,… such as system.orderServers.servers=5,10,20');
    expect(() => expandSweep(['sale.stok=1,2'])).toThrow('sweep parameter "sale.stok=1,2": unknown path: sale has no key "stok" (did you mean "stock"?)');
    expect(() => expandSweep(['sale.stock=1,,2'])).toThrow('sweep parameter "sale.stock=1,,2": empty value');
    expect(() => expandSweep(['sale.stock=1', 'sale.stock=2'])).toThrow('sweep parameter "sale.stock=2": sale.stock is swept twice');
  });

  test('grid points work as --set for resolveStrategies', () => {
    const loaded = loadScenario('scenarios/smoke.yaml');
    const counts = expandSweep(['system.orderServers.servers=2,8']).map(
      (set) => resolveStrategies(loaded, { strategies: ['seed-design'], set })[0].config.system.orderServers.servers,
    );
    expect(counts).toEqual([2, 8]);
  });
});
