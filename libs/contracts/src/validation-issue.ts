import type { z } from 'zod';

/** One thing wrong with a request, with the dotted path of the offending field. */
export interface ValidationIssue {
  path: string;
  message: string;
}

export class SpecValidationError extends Error {
  constructor(readonly issues: ValidationIssue[]) {
    super(`invalid sweep spec: ${issues.map((i) => `${i.path || '(root)'}: ${i.message}`).join('; ')}`);
    this.name = 'SpecValidationError';
  }
}

export function formatPath(path: readonly PropertyKey[]): string {
  return path.map(String).join('.');
}

/**
 * Flattens zod issues into one line per field. For a union that failed in every branch, keeps the
 * branch that matches the kind of input (an object is read as a dimension, anything else as a value).
 */
export function toValidationIssues(error: z.ZodError, input: unknown): ValidationIssue[] {
  const out: ValidationIssue[] = [];
  const visit = (issues: readonly z.core.$ZodIssue[], prefix: readonly PropertyKey[]) => {
    for (const issue of issues) {
      const path = [...prefix, ...issue.path];
      if (issue.code === 'invalid_union' && issue.errors.length > 0) {
        const typeMismatches = issue.errors.map((branch) => (branch.length === 1 && branch[0].code === 'invalid_type' && branch[0].path.length === 0 ? branch[0] : undefined));
        if (typeMismatches.every((mismatch) => mismatch !== undefined)) {
          const expected = typeMismatches
            .map((m) => m.expected)
            .sort((a, b) => Number(a === 'object') - Number(b === 'object'))
            .map((kind) => EXPECTED_WORDING[kind] ?? kind)
            .join(' or ');
          out.push({ path: formatPath(path), message: `expected ${expected}, received ${JSON.stringify(valueAt(input, path)) ?? 'nothing'}` });
          continue;
        }
        const value = valueAt(input, path);
        const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
        visit(isObject ? issue.errors[0] : issue.errors[issue.errors.length - 1], path);
      } else if (issue.code === 'unrecognized_keys') {
        for (const key of issue.keys) out.push({ path: formatPath([...path, key]), message: 'unknown field' });
      } else {
        out.push({ path: formatPath(path), message: issue.message });
      }
    }
  };
  visit(error.issues, []);
  return out;
}

const EXPECTED_WORDING: Record<string, string> = {
  object: 'a search dimension ({ type: int|float|choice, ... })',
  int: 'an integer',
  number: 'a number',
};

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let current: unknown = input;
  for (const key of path) {
    if (typeof current !== 'object' || current === null) return undefined;
    current = (current as Record<PropertyKey, unknown>)[key];
  }
  return current;
}
