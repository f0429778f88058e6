import { MAX_NESTING_DEPTH } from './nesting-depth';
import type { ValidationIssue } from './validation-issue';

// NUL: PostgreSQL text and jsonb cannot hold U+0000. A lone surrogate (half of a UTF-16 pair) is
// not Unicode text: jsonb rejects its \ud800 escape, and UTF-8 encoding turns it into U+FFFD.
const NUL = String.fromCharCode(0);
const LONE_SURROGATE = /\p{Cs}/u;

/** What is wrong with one string for PostgreSQL, or undefined when it can be stored as it is. */
export function unstorableTextProblem(text: string): string | undefined {
  const nul = text.indexOf(NUL);
  const surrogate = LONE_SURROGATE.exec(text)?.index ?? -1;
  if (nul < 0 && surrogate < 0) return undefined;
  if (surrogate < 0 || (nul >= 0 && nul < surrogate)) return `contains a NUL character (\\u0000) at character ${nul + 1}, which cannot be stored`;
  return `contains a lone UTF-16 surrogate (\\u${text.charCodeAt(surrogate).toString(16)}) at character ${surrogate + 1}, which is not valid Unicode text`;
}

/** A key as it appears in an issue path: as given, or JSON-escaped when it holds characters that need it. */
function pathKey(key: string): string {
  return /^[\w-]*$/.test(key) ? key : JSON.stringify(key).slice(1, -1);
}

/** Enough to name the problem; a body full of NULs does not get an answer as large as itself. */
const MAX_ISSUES = 20;

const isPlainObject = (value: object): value is Record<string, unknown> => {
  const prototype = Object.getPrototypeOf(value);
  return prototype === Object.prototype || prototype === null;
};

/**
 * Walks parsed input (a request body, a query, a spec read from YAML) for what PostgreSQL cannot
 * store or the validators should never see: NUL and lone surrogates in strings and in keys, nesting
 * deeper than `maxDepth` (YAML aliases can nest what the text does not), and cycles (a YAML anchor
 * that contains its own alias). One issue per offending field, named by its dotted path under
 * `prefix` (at most 20). Plain objects and arrays are walked; other values are left to the schema.
 */
export function unstorableValueIssues(value: unknown, prefix = '', maxDepth = MAX_NESTING_DEPTH): ValidationIssue[] {
  const issues: ValidationIssue[] = [];
  const ancestors = new Set<object>();
  const join = (path: string, key: string) => (path ? `${path}.${key}` : key);
  const visit = (node: unknown, path: string, depth: number): void => {
    if (issues.length >= MAX_ISSUES) return;
    if (typeof node === 'string') {
      const problem = unstorableTextProblem(node);
      if (problem) issues.push({ path, message: problem });
      return;
    }
    if (typeof node !== 'object' || node === null) return;
    if (!Array.isArray(node) && !isPlainObject(node)) return;
    if (ancestors.has(node)) {
      issues.push({ path, message: 'refers to a collection that contains it (a YAML alias inside its own anchor): cycles are not allowed' });
      return;
    }
    if (depth >= maxDepth) {
      issues.push({ path, message: `nested deeper than ${maxDepth} levels` });
      return;
    }
    ancestors.add(node);
    if (Array.isArray(node)) {
      node.forEach((item, index) => visit(item, join(path, String(index)), depth + 1));
    } else {
      for (const [key, item] of Object.entries(node)) {
        const keyPath = join(path, pathKey(key));
        const problem = unstorableTextProblem(key);
        if (problem) issues.push({ path: keyPath, message: `the key ${problem}` });
        else visit(item, keyPath, depth + 1);
      }
    }
    ancestors.delete(node);
  };
  visit(value, prefix, 0);
  return issues;
}
