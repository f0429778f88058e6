/** Search-space dimensions as the samplers see them (the same shape the sweep spec validates). */
export type ParamValue = number | string | boolean;

export type Dimension =
  | { type: 'int'; min: number; max: number; step?: number; log?: boolean }
  | { type: 'float'; min: number; max: number; step?: number; log?: boolean }
  | { type: 'choice'; values: readonly ParamValue[] };

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
