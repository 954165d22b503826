import { z } from 'zod';

/**
 * The shape of a scenario's `plan:` block (what `sim plan` searches and
 * what capacity costs). Only the shape is checked here; what the values
 * mean against the rest of the scenario (paths, units, ranges, strategy)
 * is checked by `plan.ts`, which reports at the same key paths.
 */

/** The least default limit of replications of one strategy or candidate (see {@link defaultMaxReplications}). */
export const DEFAULT_MAX_REPLICATIONS = 12;

/** Batches the default limit allows at least: four, so the rule can halve the first batch's interval (√4 = 2). */
export const DEFAULT_BATCHES = 4;

/** The highest `maxReplications` (as for `replications`: each replication's results stay in memory until the report). */
export const MAX_REPLICATIONS_LIMIT = 1000;

/**
 * Most replications of one strategy or candidate when neither the file nor
 * the command line says: max(12, 4 × the first batch), at most 1,000. A
 * fixed 12 refused any scenario whose own `replications` was above 12
 * unless a limit was given; four batches let the rule halve the first
 * batch's 95% half-width (it shrinks as 1/√n), whatever the batch.
 */
export function defaultMaxReplications(batch: number): number {
  return Math.min(MAX_REPLICATIONS_LIMIT, Math.max(DEFAULT_MAX_REPLICATIONS, DEFAULT_BATCHES * batch));
}

/**
 * The one definition of a replication limit, for the scenario's
 * `maxReplications` (`sim run --precision`) and `plan.maxReplications`
 * (`sim plan`): a whole number from 2 (an interval needs two) to 1,000.
 * Both are optional: the plan's falls back to the scenario's, that one to
 * {@link defaultMaxReplications} of the first batch.
 */
export function replicationLimit(description: string) {
  return z
    .number()
    .int('must be a whole number')
    .min(2, 'must be at least 2 (a confidence interval needs two replications)')
    .max(MAX_REPLICATIONS_LIMIT, 'must be at most 1,000')
    .optional()
    .meta({ description });
}

/** A value as written: a number or a text with a unit ("250ms", "1Gbps"). */
const written = z.union([z.number(), z.string().min(1, 'must not be empty')]);

/** One parameter to vary: a range (min, max, step) or an enumeration (values). */
const parameter = z
  .strictObject({
    min: written.optional().meta({
      description: 'Smallest value of a range, in the field’s units (a number, a duration such as 50ms, a bandwidth such as 1Gbps).',
    }),
    max: written.optional().meta({ description: 'Largest value of a range (included when min + k·step reaches it).' }),
    step: written
      .optional()
      .meta({ description: 'Step of a range, in the same units; default 1 for numbers. Required for durations and bandwidths.' }),
    values: z
      .array(z.union([z.number(), z.string(), z.boolean()]))
      .min(1, 'must list at least one value')
      .optional()
      .meta({ description: 'An enumeration instead of a range: the values to try, in order of increasing capacity when monotone.' }),
    price: z.number().nonnegative('must be zero or more').optional().meta({
      description: 'Price per `per` of the value per hour, in the plan’s currency (a range). Default 0.',
    }),
    per: written.optional().meta({
      description: 'The quantity `price` is for: default 1 for numbers, 1s for durations, 1Mbps for bandwidths.',
    }),
    prices: z.array(z.number().nonnegative('must be zero or more')).optional().meta({
      description: 'Price per hour of each value of an enumeration, in the order of `values`. Default 0 each.',
    }),
    monotone: z.boolean().optional().meta({
      description:
        'Whether more of this parameter never hurts a constraint (true by default for ranges, false for enumerations). The search bisects monotone parameters and infers that what is below an infeasible plan is infeasible.',
    }),
  })
  .meta({ description: 'One parameter of the plan, keyed by its dotted path (as --set takes it).' });

/** One uncertain input: a range around the scenario's value, or absolute bounds. */
const uncertain = z
  .strictObject({
    within: written
      .optional()
      .meta({ description: 'A relative range around the scenario’s value, e.g. 30% (uniform on value × [0.7, 1.3]).' }),
    min: written.optional().meta({ description: 'Lower bound (absolute), in the field’s units.' }),
    max: written.optional().meta({ description: 'Upper bound (absolute), in the field’s units.' }),
    distribution: z
      .enum(['uniform', 'triangular'])
      .default('uniform')
      .meta({ description: 'How the value is drawn between the bounds: uniform, or triangular with its mode in the middle.' }),
  })
  .meta({
    description:
      'An input known only within a range, drawn per replication from a keyed stream of the seed and the replication: replication r of every candidate sees the same value (common random numbers).',
  });

/** The `plan:` block. */
export const PlanBlockSchema = z
  .strictObject({
    strategy: z.string().min(1).optional().meta({ description: 'The strategy to plan; default the scenario’s only strategy.' }),
    currency: z
      .string()
      .regex(/^\S{1,12}$/, 'must be a short word such as USD or EUR')
      .default('USD')
      .meta({ description: 'The currency of every price (a name, no conversion).' }),
    hours: z.number().positive('must be greater than 0').default(1).meta({
      description: 'Hours the sale’s capacity is held (the total cost is the hourly cost times this).',
    }),
    fixed: z.number().nonnegative('must be zero or more').default(0).meta({ description: 'Fixed cost per hour, whatever the plan.' }),
    replications: z
      .number()
      .int('must be a whole number')
      .min(2, 'must be at least 2 (a confidence interval needs two replications)')
      .max(1000, 'must be at most 1,000')
      .default(3)
      .meta({ description: 'Replications of a candidate’s first batch, and of every batch added while its intervals do not decide.' }),
    maxReplications: replicationLimit(
      'Most replications of one candidate (default: the scenario’s maxReplications, else max(12, 4 × replications)); one still undecided then counts as infeasible.',
    ),
    parameters: z
      .record(z.string(), parameter)
      .refine((p) => Object.keys(p).length > 0, 'must name at least one parameter')
      .meta({ description: 'The parameters to vary, keyed by dotted path.' }),
    uncertain: z.record(z.string(), uncertain).default({}).meta({ description: 'Inputs known only within a range, keyed by dotted path.' }),
  })
  .meta({
    description:
      'Capacity planning (`sim plan`): the parameters to vary, their prices per hour, and the inputs known only within a range. The constraints are the thresholds and invariants. With prices, `sim run` reports each strategy’s cost too.',
  });

/** The `plan:` block, parsed (shape only). */
export type PlanBlock = z.output<typeof PlanBlockSchema>;
