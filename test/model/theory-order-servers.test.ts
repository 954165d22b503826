import { describe, it } from 'vitest';
import type { RunResult } from '../../src/results/result.js';
import { agrees, runStrategies, steadyScenario } from '../helpers/theory.js';
import { erlangArrivalLst, erlangB, erlangC, giMccBlocking, mmcWaitInQueue, mmcdAbandonment } from '../helpers/erlang.js';

/*
 * Queueing theory on the order servers, driven only through scenario files
 * and the loader the CLI uses (docs/model.md, "Theory checks: order
 * servers"). Users arrive at a steady rate from T0 = 0, click once (no
 * retry), win (the stock never runs out: async orders, a store that takes no
 * time), so the requests reaching the servers are a Poisson stream, at the
 * default round trip. Each check: the mean of a few replications and its 95%
 * Student-t interval must contain the formula's value.
 */

const SERVICE_S = 0.015;
const MU = 1 / SERVICE_S;

/** A steady order stream: `lambda` requests/s for `seconds`, onto the given order servers. */
function scenario(lambda: number, seconds: number, orderServers: string, strategies: string): string {
  return steadyScenario({
    name: 'theory',
    seed: 7,
    users: Math.round(lambda * seconds),
    seconds,
    drain: 3,
    orderServers,
    rest: `strategies:\n${strategies}\n`,
  });
}

/** Runs every strategy of `file` `n` times; results by strategy. */
const run = (file: string, n: number): Map<string, RunResult[]> => runStrategies(file, n, 7);

/** Rejected over attempts in the rows from `fromS` to `toS` (s): the steady part of the stream, ramp edges cut. */
function steadyRejectRate(result: RunResult, fromS: number, toS: number): number {
  const { columns, rows, intervalUs } = result.timeseries;
  const attempts = columns.indexOf('order_attempts');
  const rejected = columns.indexOf('order_rejected');
  let a = 0;
  let r = 0;
  rows.forEach((row, i) => {
    const t = (i * intervalUs) / 1e6;
    if (t >= fromS && t + intervalUs / 1e6 <= toS) {
      a += row[attempts];
      r += row[rejected];
    }
  });
  return r / a;
}

const metric = (results: RunResult[], name: keyof RunResult['metrics']): number[] => results.map((r) => r.metrics[name] as number);

describe('theory checks: order servers (through scenario files, default RTT)', () => {
  it('reject, 10 servers × 10 slots, 90 Erlang: random = Erlang B(10, 9) per server, round-robin = GI/M/10/10 (Erlang-10 gaps), least-loaded = Erlang B(100, 90)', () => {
    const lambda = 90 / SERVICE_S;
    const file = scenario(
      lambda,
      8,
      "{ servers: 10, slots: 10, onFull: reject, service: 'exp(15ms)', balancer: random }",
      `  random: {}
  round-robin: { system.orderServers.balancer: round-robin }
  least-loaded: { system.orderServers.balancer: least-loaded }`,
    );
    const runs = run(file, 3);
    const steady = (name: string) => runs.get(name)!.map((r) => steadyRejectRate(r, 2, 8));
    agrees(steady('random'), erlangB(10, 9), 0.02, 'random');
    agrees(steady('round-robin'), giMccBlocking(10, MU, erlangArrivalLst(10, lambda)), 0.02, 'round-robin');
    agrees(steady('least-loaded'), erlangB(100, 90), 0.01, 'least-loaded');
  });

  it('queue, 1 server × 10 slots, 8 Erlang (M/M/10): P(wait) = Erlang C, mean wait Wq, and Little: Lq = λWq, L(slots) = λ/μ', () => {
    const lambda = 8 / SERVICE_S;
    const seconds = 30;
    const file = scenario(lambda, seconds, "{ servers: 1, slots: 10, onFull: queue, maxWait: 60s, service: 'exp(15ms)' }", '  mmc: {}');
    const results = run(file, 4).get('mmc')!;
    agrees(metric(results, 'order_wait_rate'), erlangC(10, 8), 0.05, 'P(wait)');
    agrees(
      metric(results, 'order_queue_wait').map((us) => us / 1e6),
      mmcWaitInQueue(10, lambda, MU),
      0.001,
      'Wq (s)',
    );
    // Little's law, each side measured apart: the time-average line (the servers' gauge) against
    // the arrival rate times the mean wait per request (the flow's records), over the whole run.
    const span = results[0].config.duration / 1e6;
    const littleGap = results.map(
      (r) => (r.metrics.order_queue_length as number) - (r.counters.orderAttempts / span) * ((r.metrics.order_queue_wait as number) / 1e6),
    );
    agrees(littleGap, 0, 0.05, 'Lq - λWq');
    const carriedGap = results.map((r) => (r.metrics.order_slots_busy as number) - (r.counters.orderAdmitted / span) * SERVICE_S);
    agrees(carriedGap, 0, 0.2, 'L(slots) - λ/μ');
  });

  it('queue with maxWait 20ms, 1 server × 10 slots, 11 Erlang (M/M/10+D): "sale ended" at the deadline with the abandonment probability', () => {
    const lambda = 11 / SERVICE_S;
    const file = scenario(lambda, 20, "{ servers: 1, slots: 10, onFull: queue, maxWait: 20ms, service: 'exp(15ms)' }", '  mmcd: {}');
    const results = run(file, 4).get('mmcd')!;
    agrees(
      results.map((r) => steadyRejectRate(r, 2, 20)),
      mmcdAbandonment(10, lambda, MU, 0.02),
      0.02,
      'M/M/10+D abandonment',
    );
  });
});
