import { z } from 'zod';
import type { BooleanDomain, CategoricalDomain, NumericDomain } from './hyperparameters';

const finite = z.number();
const scalar = z.union([finite, z.string(), z.boolean()]);

/** When a dimension exists: one comparison against another dimension's value, e.g. { gt: 0 } or { in: [2, 3] }. */
export const ConditionSchema = z
  .strictObject({
    eq: scalar.optional(),
    ne: scalar.optional(),
    gt: finite.optional(),
    gte: finite.optional(),
    lt: finite.optional(),
    lte: finite.optional(),
    in: z.array(scalar).min(1).optional(),
  })
  .refine((c) => Object.values(c).filter((v) => v !== undefined).length === 1, { message: 'give exactly one of eq, ne, gt, gte, lt, lte, in' });
export type Condition = z.infer<typeof ConditionSchema>;

/** `when: { layers: { gte: 2 } }`: the dimension exists only in trials where every condition holds. */
const when = z.record(z.string(), ConditionSchema).optional();

export const IntDimensionSchema = z
  .strictObject({
    type: z.literal('int'),
    min: z.int(),
    max: z.int(),
    step: z.int().positive().optional(),
    log: z.boolean().optional(),
    when,
  })
  .superRefine(checkRangeDimension);

export const FloatDimensionSchema = z
  .strictObject({
    type: z.literal('float'),
    min: finite,
    max: finite,
    step: finite.positive().optional(),
    log: z.boolean().optional(),
    when,
  })
  .superRefine(checkRangeDimension);

export const ChoiceDimensionSchema = z
  .strictObject({
    type: z.literal('choice'),
    values: z.array(scalar).min(1, 'a choice needs at least one value'),
    when,
  })
  .superRefine((dim, ctx) => {
    const seen = new Set<unknown>();
    dim.values.forEach((value, index) => {
      if (seen.has(value)) ctx.addIssue({ code: 'custom', path: ['values', index], message: `duplicate value ${JSON.stringify(value)}` });
      seen.add(value);
    });
  });

export const DimensionSchema = z.discriminatedUnion('type', [IntDimensionSchema, FloatDimensionSchema, ChoiceDimensionSchema]);

/** One value per LSTM layer, each searched alone: `hiddenUnits: { type: perLayer, item: { type: int, ... } }`. */
export const PerLayerSchema = z.strictObject({
  type: z.literal('perLayer'),
  item: z.discriminatedUnion('type', [IntDimensionSchema, ChoiceDimensionSchema]),
});
export type PerLayer = z.infer<typeof PerLayerSchema>;

export type IntDimension = z.infer<typeof IntDimensionSchema>;
export type FloatDimension = z.infer<typeof FloatDimensionSchema>;
export type ChoiceDimension = z.infer<typeof ChoiceDimensionSchema>;
export type Dimension = z.infer<typeof DimensionSchema>;
export type ParamValue = number | string | boolean;

function checkRangeDimension(
  dim: { min: number; max: number; step?: number; log?: boolean },
  ctx: z.RefinementCtx,
): void {
  if (dim.min > dim.max) ctx.addIssue({ code: 'custom', path: ['min'], message: `min (${dim.min}) must be <= max (${dim.max})` });
  if (dim.log && dim.min <= 0) ctx.addIssue({ code: 'custom', path: ['min'], message: 'a log-scaled dimension needs min > 0' });
  if (dim.log && dim.step !== undefined) ctx.addIssue({ code: 'custom', path: ['step'], message: 'step and log cannot be combined' });
}

/** A tunable value: a plain value (fixed for every trial) or a dimension to search over. */
export function paramSchema(domain: NumericDomain) {
  const fixed = domain.kind === 'int' ? z.int() : finite;
  return z.union([DimensionSchema, fixed]).superRefine((param, ctx) => checkWithinDomain(param, domain, ctx));
}

/** The same, or one dimension per layer. */
export function perLayerParamSchema(domain: NumericDomain) {
  const fixed = domain.kind === 'int' ? z.int() : finite;
  return z
    .union([z.discriminatedUnion('type', [IntDimensionSchema, FloatDimensionSchema, ChoiceDimensionSchema, PerLayerSchema]), fixed])
    .superRefine((param, ctx) => {
      if (typeof param === 'object' && param.type === 'perLayer') checkWithinDomain(param.item, domain, ctx, ['item']);
      else checkWithinDomain(param as Dimension | number, domain, ctx);
    });
}

/** An option of a categorical hyperparameter: fixed, a choice among its options, or (when `perLayer`) either one per layer. */
export function categoricalParamSchema(domain: CategoricalDomain, perLayer = false) {
  return z
    .union([z.discriminatedUnion('type', [IntDimensionSchema, FloatDimensionSchema, ChoiceDimensionSchema, PerLayerSchema]), z.string()])
    .superRefine((param, ctx) => {
      if (typeof param !== 'object' || param.type !== 'perLayer') return checkWithinCategories(param as Dimension | string, domain, ctx, []);
      if (!perLayer) ctx.addIssue({ code: 'custom', path: ['type'], message: `only hiddenUnits and cell take one value per layer (${domain.description})` });
      else checkWithinCategories(param.item, domain, ctx, ['item']);
    });
}

/** A switch: true or false for every trial, or a choice between them. */
export function booleanParamSchema(domain: BooleanDomain) {
  return z.union([z.discriminatedUnion('type', [IntDimensionSchema, FloatDimensionSchema, ChoiceDimensionSchema]), z.boolean()]).superRefine((param, ctx) => {
    if (typeof param === 'boolean') return;
    if (param.type !== 'choice') {
      ctx.addIssue({ code: 'custom', path: ['type'], message: `must be 'choice' (of true and false) or a plain true or false: ${domain.description}` });
      return;
    }
    param.values.forEach((value, i) => {
      if (typeof value !== 'boolean') ctx.addIssue({ code: 'custom', path: ['values', i], message: `${JSON.stringify(value)} is not true or false (${domain.description})` });
    });
  });
}

function checkWithinDomain(param: Dimension | number, domain: NumericDomain, ctx: z.RefinementCtx, prefix: (string | number)[] = []): void {
  const range = `[${domain.min}, ${domain.max}]`;
  const check = (value: ParamValue, relative: (string | number)[]) => {
    const path = [...prefix, ...relative];
    if (typeof value !== 'number') {
      ctx.addIssue({ code: 'custom', path, message: `must be a number (${domain.description})` });
    } else if (domain.kind === 'int' && !Number.isInteger(value)) {
      ctx.addIssue({ code: 'custom', path, message: `must be an integer (${domain.description})` });
    } else if (value < domain.min || value > domain.max) {
      ctx.addIssue({ code: 'custom', path, message: `${value} is outside the allowed range ${range} (${domain.description})` });
    }
  };
  if (typeof param === 'number') return check(param, []);
  if (param.type === 'choice') return param.values.forEach((value, i) => check(value, ['values', i]));
  if (param.type === 'float' && domain.kind === 'int') {
    ctx.addIssue({ code: 'custom', path: [...prefix, 'type'], message: `must be 'int' or 'choice': this hyperparameter (${domain.description}) takes integers` });
    return;
  }
  check(param.min, ['min']);
  check(param.max, ['max']);
}

function checkWithinCategories(param: Dimension | string, domain: CategoricalDomain, ctx: z.RefinementCtx, prefix: (string | number)[]): void {
  const options = domain.values.join(', ');
  const check = (value: ParamValue, relative: (string | number)[]) => {
    if (typeof value !== 'string' || !domain.values.includes(value)) {
      ctx.addIssue({ code: 'custom', path: [...prefix, ...relative], message: `${JSON.stringify(value)} is not one of ${options} (${domain.description})` });
    }
  };
  if (typeof param !== 'object') return check(param, []);
  if (param.type === 'choice') return param.values.forEach((value, i) => check(value, ['values', i]));
  ctx.addIssue({ code: 'custom', path: [...prefix, 'type'], message: `must be 'choice' or one of ${options}: this hyperparameter (${domain.description}) names an option` });
}
