import type { Condition as ConditionSpec, Dimension as DimensionSpec, ParamValue } from '@tuneforge/contracts';

export type { ParamValue };

/** A value the search only reads: arrays and objects all the way down are readonly. */
type Immutable<T> = T extends readonly (infer U)[] ? readonly Immutable<U>[] : T extends object ? { readonly [K in keyof T]: Immutable<T[K]> } : T;

/** Search-space dimensions as the samplers see them: the sweep spec's, read-only. */
export type Condition = Immutable<ConditionSpec>;
/** `when`: the dimension exists only where every named dimension's value meets its condition. */
export type Dimension = Immutable<DimensionSpec>;

export type SearchSpace = Readonly<Record<string, Dimension>>;
export type Assignment = Record<string, ParamValue>;

export interface SearchIssue {
  path: string;
  message: string;
}

/** The search space cannot be searched as asked; each issue names the dimension at fault. */
export class SearchSpaceError extends Error {
  constructor(readonly issues: SearchIssue[]) {
    super(issues.map((i) => `${i.path}: ${i.message}`).join('; '));
    this.name = 'SearchSpaceError';
  }
}

/** Whether a conditional dimension exists given the values chosen so far (a missing parent means no). */
export function isActive(dimension: Dimension, assignment: Assignment): boolean {
  return Object.entries(dimension.when ?? {}).every(([parent, condition]) => {
    const value = assignment[parent];
    if (value === undefined) return false;
    if (condition.eq !== undefined) return value === condition.eq;
    if (condition.ne !== undefined) return value !== condition.ne;
    if (condition.in !== undefined) return condition.in.includes(value);
    const n = Number(value);
    if (condition.gt !== undefined) return n > condition.gt;
    if (condition.gte !== undefined) return n >= condition.gte;
    if (condition.lt !== undefined) return n < condition.lt;
    if (condition.lte !== undefined) return n <= condition.lte;
    return true;
  });
}

/** The assignment without values of dimensions that are off (a stored config keeps their defaults). */
export function activeOnly(space: SearchSpace, assignment: Assignment): Assignment {
  const active: Assignment = {};
  for (const [name, dimension] of Object.entries(space)) {
    if (assignment[name] !== undefined && isActive(dimension, active)) active[name] = assignment[name];
  }
  return active;
}
