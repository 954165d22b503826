/**
 * The planning pipeline (`sim plan`): the scenario's `plan:` block (its
 * spec from src/scenario/plan.ts) → candidates evaluated through the run
 * pipeline (resolved like `sim run` with the candidate's values as `--set`,
 * simulated on the worker pool, audited, thresholds evaluated per
 * replication) → the search of plan-search.ts → plan.json's content.
 *
 * Every candidate runs with the same seed and replication numbers, so
 * replication r of every candidate sees the same users and the same drawn
 * uncertain inputs (common random numbers): a difference between two
 * candidates is theirs, not the draws'. Results are cached by candidate,
 * so nothing is simulated twice. The feasibility rule is in
 * docs/planning.md. Nothing here prints or exits.
 */
import { ScenarioError, UsageError } from '../errors.js';
import { openExecutor, type TaskExecutor, type TaskProgress, type TaskRunner } from '../execute/execute.js';
import type { RunPlan, RunTask } from '../execute/plan.js';
import { RandomSource } from '../kernel/random.js';
import { parseThreshold, type Threshold } from '../metrics/thresholds.js';
import { formatMetricValue } from '../report/console-table.js';
import {
  PLAN_SCHEMA_VERSION,
  type CandidateVerdict,
  type ConstraintOutcome,
  type FrontSeries,
  type PlanCandidate,
  type PlanConstraint,
  type PlanResult,
  planCost,
  type Sensitivity,
  type SensitivitySide,
} from '../results/plan.js';
import { toolVersion } from '../results/summary.js';
import { strategyChecks, type StrategyChecks } from '../scenario/expectations.js';
import { loadScenario, type LoadedScenario } from '../scenario/load.js';
import { uncertainAssignment, type PlanSpec } from '../scenario/plan.js';
import type { InvariantName, ResolvedConfig } from '../scenario/schema.js';
import { resolveStrategies } from '../scenario/strategies.js';
import { tokenSecretSeed } from '../system/token-gate.js';
import { audit } from '../verify/audit.js';
import { decideThreshold } from '../verify/interval-verdict.js';
import { evaluateThreshold } from '../verify/thresholds.js';
import { monotonicityViolations } from './plan-monotonicity.js';
import { boundarySearch, exhaustiveSearch, type SearchSpace } from './plan-search.js';
import { displayPath } from './prepare.js';
import { planUncertainStream } from '../system/streams.js';

/** What shapes a plan (recorded through plan.json's fields). */
export interface PlanOptions {
  /** Overrides the scenario's seed. */
  seed?: number | string;
  /** Overrides `plan.maxReplications`. */
  maxReplications?: number;
  /** Evaluate every candidate of the grid instead of searching (the reference the search is tested against). */
  exhaustive?: boolean;
}

/** A plan loaded and checked: nothing has run yet. */
export interface PreparedPlan {
  file: string;
  loaded: LoadedScenario;
  spec: PlanSpec;
  seed: number | string;
  checks: StrategyChecks;
  constraints: PlanConstraint[];
  options: PlanOptions;
  /** The planned strategy's configuration as the scenario gives it. */
  config: ResolvedConfig;
}

/** How {@link executePlanSearch} runs. */
export interface ExecutePlanOptions {
  /** Worker threads (1 runs in this thread). */
  workers: number;
  /** Progress of every task. */
  onProgress?: (progress: TaskProgress) => void;
  /** Each candidate once decided, with the simulations run so far. */
  onCandidate?: (candidate: PlanCandidate, runs: number) => void;
  /** Aborting stops with an AbortError. */
  signal?: AbortSignal;
  /** Replaces the simulator (tests). */
  runner?: TaskRunner;
}

function betterOf(op: Threshold['op']): PlanConstraint['better'] {
  return op === '<' || op === '<=' ? 'lower' : op === '>' || op === '>=' ? 'higher' : 'equal';
}

/**
 * Loads a scenario with a `plan:` block and checks it.
 * @throws {ScenarioError} for a bad file or plan block; {@link UsageError} when it has no plan or a bad option.
 */
export function preparePlan(file: string, options: PlanOptions = {}): PreparedPlan {
  const loaded = loadScenario(file);
  const spec = loaded.plan;
  if (!spec) throw new UsageError(`${file}: has no plan: block; add one to say what to vary and what it costs (see docs/planning.md)`);
  if (spec.strategyIssue) throw new ScenarioError([spec.strategyIssue]);
  if (options.maxReplications !== undefined && options.maxReplications < Math.min(2, spec.replications)) {
    throw new UsageError(`--max-replications: must be at least 2 (a confidence interval needs two replications)`);
  }
  const checks = strategyChecks(loaded.scenario, spec.strategy);
  const constraints: PlanConstraint[] = [];
  for (const [metric, expressions] of Object.entries(checks.thresholds)) {
    for (const expression of expressions) {
      const t = parseThreshold(metric, expression);
      constraints.push({ id: `${metric} ${expression}`, kind: 'threshold', metric, expression, limit: t.limit, better: betterOf(t.op) });
    }
  }
  for (const name of checks.invariants) constraints.push({ id: name, kind: 'invariant' });
  const [resolved] = resolveStrategies(loaded, {
    strategies: [spec.strategy],
    ...(options.seed !== undefined ? { seed: options.seed } : {}),
  });
  return { file, loaded, spec, seed: resolved.config.seed, checks, constraints, options, config: resolved.config };
}

/** One candidate's measurements so far. */
interface Entry {
  index: number[];
  /** Per threshold constraint, the value of each replication (null: not measured). */
  values: Array<Array<number | null>>;
  /** Per invariant, whether each replication held it. */
  held: boolean[][];
  /** Users told "won", per replication. */
  won: number[];
  record?: PlanCandidate;
}

const round6 = (x: number): number => Number(x.toFixed(6));

/** Evaluates candidates with the stopping rule and caches them by index. */
class Evaluator {
  readonly entries = new Map<string, Entry>();
  readonly order: string[] = [];
  runs = 0;
  private readonly thresholds: Threshold[];
  private readonly invariants: InvariantName[];

  constructor(
    private readonly prepared: PreparedPlan,
    private readonly maxReplications: number,
    private readonly options: ExecutePlanOptions,
    private readonly executor: TaskExecutor,
  ) {
    this.thresholds = prepared.constraints.filter((c) => c.kind === 'threshold').map((c) => parseThreshold(c.metric!, c.expression!));
    this.invariants = prepared.checks.invariants;
  }

  perHour(index: readonly number[]): number {
    const { spec } = this.prepared;
    return spec.fixed + spec.parameters.reduce((sum, p, d) => sum + p.values[index[d]].pricePerHour, 0);
  }

  valuesOf(index: readonly number[]): Record<string, string | number> {
    const values: Record<string, string | number> = {};
    this.prepared.spec.parameters.forEach((p, d) => {
      const label = p.values[index[d]].label;
      values[p.path] = p.kind === 'number' ? Number(label) : label;
    });
    return values;
  }

  /** The candidate's record, simulating batches until it is decided. */
  async evaluate(index: readonly number[]): Promise<PlanCandidate> {
    const key = index.join(',');
    let entry = this.entries.get(key);
    if (entry?.record) return entry.record;
    if (!entry) {
      entry = { index: [...index], values: this.thresholds.map(() => []), held: this.invariants.map(() => []), won: [] };
      this.entries.set(key, entry);
      this.order.push(key);
    }
    const { spec } = this.prepared;
    for (;;) {
      const n = entry.won.length;
      const more = Math.min(spec.replications, this.maxReplications - n);
      await this.simulate(entry, n, more);
      const record = this.judge(entry);
      if (record.verdict !== 'undecided' || entry.won.length >= this.maxReplications) {
        entry.record = record;
        this.options.onCandidate?.(record, this.runs);
        return record;
      }
    }
  }

  private configFor(index: readonly number[], replication: number): ResolvedConfig {
    const { spec, loaded, seed } = this.prepared;
    const set = spec.parameters.map((p, d) => `${p.path}=${p.values[index[d]].set}`);
    for (const input of spec.uncertain) {
      const u = new RandomSource(seed, replication).stream(planUncertainStream(input.path)).uniform(0, 0);
      set.push(uncertainAssignment(input, u));
    }
    return resolveStrategies(loaded, { strategies: [spec.strategy], set, seed })[0].config;
  }

  private async simulate(entry: Entry, from: number, count: number): Promise<void> {
    const { spec, seed } = this.prepared;
    const tasks: RunTask[] = [];
    let shared: ResolvedConfig | undefined;
    for (let r = from; r < from + count; r++) {
      // Without uncertain inputs every replication runs the same configuration: resolve it once.
      const config = spec.uncertain.length === 0 ? (shared ??= this.configFor(entry.index, r)) : this.configFor(entry.index, r);
      tasks.push({ index: tasks.length, strategy: spec.strategy, replication: r, seed, tokenSecret: tokenSecretSeed(seed, r), config });
    }
    const plan: RunPlan = {
      scenario: { name: this.prepared.loaded.scenario.name, file: displayPath(this.prepared.file) },
      seed,
      replications: count,
      tokenSecrets: tasks.map((t) => t.tokenSecret),
      strategies: [{ name: spec.strategy, config: tasks[0].config }],
      tasks,
    };
    const executed = await this.executor.run(plan, {
      ...(this.options.onProgress ? { onProgress: this.options.onProgress } : {}),
      ...(this.options.signal ? { signal: this.options.signal } : {}),
    });
    this.runs += tasks.length;
    executed.results.forEach((result, i) => {
      const report = audit(result, this.invariants, { tokenSecret: tasks[i].tokenSecret });
      this.invariants.forEach((_, k) => entry.held[k].push(report.invariants[k].passed));
      this.thresholds.forEach((t, k) => entry.values[k].push(evaluateThreshold(result, t).actual));
      entry.won.push(result.outcomes.won);
    });
  }

  private judge(entry: Entry): PlanCandidate {
    const n = entry.won.length;
    const outcomes: ConstraintOutcome[] = [];
    let failing: string | undefined;
    let open: string | undefined;
    this.thresholds.forEach((t, k) => {
      const { reason, halfWidth: _halfWidth, ...outcome } = decideThreshold(entry.values[k], t);
      outcomes.push(outcome);
      const shown = describe(t.metric, outcome, reason);
      if (outcome.holds === false) failing ??= `${outcome.id}: ${shown}`;
      if (outcome.holds === null) open ??= `${outcome.id}: ${shown}`;
    });
    this.invariants.forEach((name, k) => {
      const held = entry.held[k];
      const holds = held.every(Boolean);
      const share = held.filter(Boolean).length / held.length;
      outcomes.push({ id: name, n: held.length, mean: share, low: null, high: null, holds });
      if (!holds) failing ??= `${name}: violated in ${held.filter((h) => !h).length} of ${held.length} replications`;
    });
    const verdict: CandidateVerdict = failing ? 'infeasible' : open ? 'undecided' : 'feasible';
    const reason =
      verdict === 'infeasible'
        ? failing
        : verdict === 'undecided'
          ? `undecided after ${n} replications (counts as infeasible): ${open}`
          : undefined;
    return {
      values: this.valuesOf(entry.index),
      cost: planCost(this.prepared.spec, this.perHour(entry.index), entry.won),
      verdict,
      ...(reason ? { reason } : {}),
      replications: n,
      constraints: outcomes,
    };
  }
}

function describe(metric: string, o: ConstraintOutcome, reason?: string): string {
  if (reason) return reason;
  const f = (x: number | null): string => (x === null ? '—' : formatMetricValue(metric, x));
  return `mean ${f(o.mean)}, 95% CI [${f(o.low)}, ${f(o.high)}] over ${o.n} replications`;
}

/** Pareto front of cost (lower is better) against each threshold's metric (its `better` side). */
function paretoFront(constraints: readonly PlanConstraint[], candidates: readonly PlanCandidate[]): FrontSeries[] {
  const fronts: FrontSeries[] = [];
  constraints.forEach((c, k) => {
    if (c.kind !== 'threshold' || c.better === 'equal') return;
    const sign = c.better === 'lower' ? 1 : -1;
    const points = candidates
      .filter((cand) => cand.constraints[k].mean !== null)
      .map((cand) => ({ values: cand.values, perHour: cand.cost.perHour, mean: cand.constraints[k].mean!, verdict: cand.verdict }))
      .sort((a, b) => a.perHour - b.perHour || sign * (a.mean - b.mean));
    const front: FrontSeries['points'] = [];
    for (const p of points) if (front.length === 0 || sign * p.mean < sign * front[front.length - 1].mean) front.push(p);
    fronts.push({ id: c.id, points: front });
  });
  return fronts;
}

/**
 * Runs the search and builds plan.json's content (and counts the
 * simulations). Every candidate's simulations use one pool of `workers`
 * threads (at most a batch's), kept for the whole search.
 */
export async function executePlanSearch(prepared: PreparedPlan, options: ExecutePlanOptions): Promise<PlanResult> {
  // One pool for the whole search: a batch never has more than `replications` tasks.
  const executor = await openExecutor({
    workers: Math.min(options.workers, prepared.spec.replications),
    ...(options.runner ? { runner: options.runner } : {}),
  });
  try {
    return await searchWith(prepared, options, executor);
  } finally {
    await executor.close();
  }
}

async function searchWith(prepared: PreparedPlan, options: ExecutePlanOptions, executor: TaskExecutor): Promise<PlanResult> {
  const { spec } = prepared;
  const maxReplications = prepared.options.maxReplications ?? spec.maxReplications;
  const evaluator = new Evaluator(prepared, maxReplications, options, executor);
  const space: SearchSpace = {
    sizes: spec.parameters.map((p) => p.values.length),
    monotone: spec.parameters.map((p) => p.monotone),
    cost: (index) => evaluator.perHour(index),
  };
  const oracle = async (index: readonly number[]): Promise<boolean> => (await evaluator.evaluate(index)).verdict === 'feasible';
  const outcome = prepared.options.exhaustive ? await exhaustiveSearch(space, oracle) : await boundarySearch(space, oracle);

  const best = outcome.best ? await evaluator.evaluate(outcome.best) : null;
  const sensitivity: Sensitivity[] = [];
  if (outcome.best) {
    for (const [d, p] of spec.parameters.entries()) {
      const side = async (delta: number): Promise<SensitivitySide | undefined> => {
        const at = outcome.best![d] + delta;
        if (at < 0 || at >= p.values.length) return undefined;
        const index = [...outcome.best!];
        index[d] = at;
        const there = await evaluator.evaluate(index);
        const deltas: Record<string, number | null> = {};
        there.constraints.forEach((c, k) => {
          const here = best!.constraints[k].mean;
          deltas[c.id] = c.mean === null || here === null ? null : c.mean - here;
        });
        return { value: there.values[p.path], costDelta: round6(there.cost.perHour - best!.cost.perHour), deltas, verdict: there.verdict };
      };
      const down = await side(-1);
      const up = await side(1);
      sensitivity.push({ path: p.path, ...(down ? { down } : {}), ...(up ? { up } : {}) });
    }
  }

  const binding: PlanResult['binding'] = [];
  if (!best) {
    const tops = outcome.tops.length > 0 ? outcome.tops : [spec.parameters.map((p) => p.values.length - 1)];
    for (const top of tops) {
      const record = await evaluator.evaluate(top);
      for (const c of record.constraints) {
        if (c.holds === true || binding.some((b) => b.id === c.id)) continue;
        const constraint = prepared.constraints.find((x) => x.id === c.id)!;
        const shown =
          constraint.kind === 'invariant'
            ? `violated in ${Math.round((1 - (c.mean ?? 0)) * c.n)} of ${c.n} replications`
            : describe(constraint.metric!, c);
        binding.push({ id: c.id, reason: `${c.holds === null ? 'undecided' : 'fails'} at the largest values: ${shown}` });
      }
    }
  }

  const simulated = evaluator.order.map((key) => evaluator.entries.get(key)!).filter((e) => e.record !== undefined);
  const candidates = simulated.map((e) => e.record!);
  const violations = monotonicityViolations(
    spec.parameters,
    prepared.constraints,
    simulated.map((e) => ({ index: e.index, record: e.record! })),
  );
  const head = prepared.loaded;
  return {
    schemaVersion: PLAN_SCHEMA_VERSION,
    kind: 'flashsim-plan',
    tool: { name: 'flashsim', version: toolVersion() },
    scenario: { name: head.scenario.name, file: displayPath(prepared.file), description: head.scenario.description ?? null },
    strategy: spec.strategy,
    seed: prepared.seed,
    search: prepared.options.exhaustive ? 'exhaustive' : 'boundary',
    currency: spec.currency,
    hours: spec.hours,
    replications: { batch: spec.replications, max: maxReplications },
    parameters: spec.parameters.map((p) => ({
      path: p.path,
      kind: p.kind,
      monotone: p.monotone,
      values: p.values.map((v) => (p.kind === 'number' ? Number(v.label) : v.label)),
    })),
    uncertain: spec.uncertain.map((u) => ({ path: u.path, low: u.low, high: u.high, distribution: u.distribution })),
    constraints: prepared.constraints,
    feasible: best !== null,
    best,
    binding,
    candidates,
    runs: evaluator.runs,
    gridSize: spec.gridSize,
    gridRuns: spec.gridSize * spec.replications,
    inferred: outcome.inferred,
    monotonicityViolations: violations,
    front: paretoFront(prepared.constraints, candidates),
    sensitivity,
  };
}
