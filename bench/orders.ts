/**
 * Order-heavy benchmark: every user orders once. The seed design at 180,000
 * users with stock for all of them and order servers, slots and consumers
 * enough that no attempt is turned away, so the run is dominated by the
 * order path (token issue and check, stock step, ledger, answers) rather
 * than by page views. Its loop events/s is compared with the storm's (the
 * seed design at 1M users, bench/seed.ts's child), measured in the same run.
 * Target: orders ≥ 0.5x the storm's loop events/s.
 */
import { formatRate, type BenchOptions, type BenchSection } from './section.js';
import { runSeedChild, type SeedRun } from './seed.js';

const ORDER_USERS = 180_000;
const STORM_USERS = 1_000_000;
const TARGET_RATIO = 0.5;
/** The order-heavy variant of the seed design, as `--set` assignments. */
export const ORDER_HEAVY_SET = [
  'sale.stock=1000000',
  'system.orderServers.servers=100',
  'system.orderServers.slots=100',
  'system.orders.consumers=64',
];

const loopRate = (r: SeedRun): number => r.events / (r.loopMs / 1000);
const typical = (runs: SeedRun[]): SeedRun => [...runs].sort((a, b) => loopRate(a) - loopRate(b))[(runs.length - 1) >> 1];

export const ordersSection: BenchSection = {
  name: 'orders',
  description: `order-heavy seed design (${ORDER_USERS.toLocaleString('en')} users, each orders once): loop events/s vs the storm's, same run`,
  async run(options: BenchOptions) {
    const repeats = Math.min(options.rounds, 3);
    const orderUsers = Math.max(2_000, Math.round(ORDER_USERS * options.scale));
    const stormUsers = Math.max(4_000, Math.round(STORM_USERS * options.scale));
    const orders: SeedRun[] = [];
    const storm: SeedRun[] = [];
    // Interleaved, so that a busy moment of the machine falls on both.
    for (let i = 0; i < repeats; i++) {
      options.log(`orders: order-heavy, ${orderUsers.toLocaleString('en')} users, run ${i + 1}/${repeats} …`);
      orders.push(await runSeedChild(orderUsers, ORDER_HEAVY_SET));
      options.log(`orders: storm, ${stormUsers.toLocaleString('en')} users, run ${i + 1}/${repeats} …`);
      storm.push(await runSeedChild(stormUsers));
    }
    const o = typical(orders);
    const s = typical(storm);
    const ratio = loopRate(o) / loopRate(s);
    const json = {
      orders: {
        users: orderUsers,
        set: ORDER_HEAVY_SET,
        events: o.events,
        loopMs: Math.round(o.loopMs),
        loopEventsPerSecond: Math.round(loopRate(o)),
        storm: { users: stormUsers, events: s.events, loopMs: Math.round(s.loopMs), loopEventsPerSecond: Math.round(loopRate(s)) },
        ratio: Math.round(ratio * 1000) / 1000,
        target: { ratio: TARGET_RATIO, met: ratio >= TARGET_RATIO },
      },
    };
    const lines = [
      `orders: seed design, ${orderUsers.toLocaleString('en')} users each ordering once (${ORDER_HEAVY_SET.join(', ')}); median of ${repeats}, fresh processes`,
      `  ${o.events.toLocaleString('en')} events, loop ${(o.loopMs / 1000).toFixed(2)}s: ${formatRate(loopRate(o))} events/s; storm (${stormUsers.toLocaleString('en')} users) ${formatRate(loopRate(s))} events/s`,
      `  orders/storm ${ratio.toFixed(2)} (target ≥ ${TARGET_RATIO}): ${ratio >= TARGET_RATIO ? 'met' : 'NOT met'}`,
    ];
    return { json, lines };
  },
};
