import { z } from 'zod';
import type { NumericDomain } from './hyperparameters';

const finite = z.number();

export const IntDimensionSchema = z
  .strictObject({
    type: z.literal('int'),
    min: z.int(),
    max: z.int(),
    step: z.int().positive().optional(),
    log: z.boolean().optional(),
  })
  .superRefine(checkRangeDimension);

export const FloatDimensionSchema = z
  .strictObject({
    type: z.literal('float'),
    min: finite,
    max: finite,
    step: finite.positive().optional(),
    log: z.boolean().optional(),
  })
  .superRefine(checkRangeDimension);

export const ChoiceDimensionSchema = z
  .strictObject({
    type: z.literal('choice'),
    values: z.array(z.union([finite, z.string(), z.boolean()])).min(1, 'a choice needs at least one value'),
  })
  .superRefine((dim, ctx) => {
    const seen = new Set<unknown>();
    dim.values.forEach((value, index) => {
      if (seen.has(value)) ctx.addIssue({ code: 'custom', path: ['values', index], message: `duplicate value ${JSON.stringify(value)}` });
      seen.add(value);
    });
  });

export const DimensionSchema = z.discriminatedUnion('type', [IntDimensionSchema, FloatDimensionSchema, ChoiceDimensionSchema]);

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

function checkWithinDomain(param: Dimension | number, domain: NumericDomain, ctx: z.RefinementCtx): void {
  const range = `[${domain.min}, ${domain.max}]`;
  const check = (value: ParamValue, path: (string | number)[]) => {
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
    ctx.addIssue({ code: 'custom', path: ['type'], message: `must be 'int' or 'choice': this hyperparameter (${domain.description}) takes integers` });
    return;
  }
  check(param.min, ['min']);
  check(param.max, ['max']);
}
