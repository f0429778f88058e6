import { parseDocument } from 'yaml';
import { findYamlNestingExcess } from './nesting-depth';
import { unstorableValueIssues } from './storable-value';
import { SweepSpecSchema, type SweepSpec } from './sweep-spec.schema';
import { SpecValidationError, toValidationIssues } from './validation-issue';

/** Alias expansions one YAML spec may make (yaml's guard against billion-laughs documents). */
export const MAX_YAML_ALIAS_COUNT = 100;

/**
 * Validates a sweep spec given as an already-parsed object or as JSON/YAML text (YAML is a superset
 * of JSON, so one parser reads both). Throws SpecValidationError naming every offending field.
 */
export function parseSweepSpec(body: unknown): SweepSpec {
  const input = typeof body === 'string' ? parseSpecText(body) : body;
  if (input === undefined || input === null || (typeof input === 'object' && !Array.isArray(input) && Object.keys(input).length === 0)) {
    throw new SpecValidationError([{ path: '', message: 'the sweep spec is empty: send a JSON (application/json) or YAML (application/yaml) object' }]);
  }
  const unstorable = unstorableValueIssues(input);
  if (unstorable.length > 0) throw new SpecValidationError(unstorable);
  const result = SweepSpecSchema.safeParse(input);
  if (!result.success) throw new SpecValidationError(toValidationIssues(result.error, input));
  return result.data;
}

function parseSpecText(text: string): unknown {
  // yaml composes documents recursively: deep nesting must be refused before it is parsed.
  const tooDeep = findYamlNestingExcess(text);
  if (tooDeep) throw new SpecValidationError([{ path: '', message: `the YAML/JSON document is ${tooDeep.message}` }]);
  // logLevel 'error': no process warning per odd key (a collection used as a key) for anyone to flood.
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true, logLevel: 'error' });
  if (doc.errors.length > 0) {
    throw new SpecValidationError(
      doc.errors.map((error) => ({
        path: '',
        message: error.linePos ? `YAML/JSON syntax error at line ${error.linePos[0].line}, column ${error.linePos[0].col}: ${error.message.split('\n')[0]}` : error.message,
      })),
    );
  }
  try {
    return doc.toJS({ maxAliasCount: MAX_YAML_ALIAS_COUNT });
  } catch (error) {
    // Resolving aliases and merge keys fails on the input alone: an unknown anchor, a merge of a
    // scalar, more expansions than allowed.
    if (error instanceof Error) throw new SpecValidationError([{ path: '', message: yamlResolutionMessage(error) }]);
    throw error;
  }
}

function yamlResolutionMessage(error: Error): string {
  if (/Excessive alias count/.test(error.message)) {
    return `YAML aliases expand to more than ${MAX_YAML_ALIAS_COUNT} copies of their anchors (a document that grows when resolved, or an alias inside its own anchor)`;
  }
  if (/Unresolved alias/.test(error.message)) return `YAML alias error: ${error.message.replace('Unresolved alias', 'unknown alias')}`;
  if (/Merge sources/.test(error.message)) return `YAML merge key (<<) error: ${error.message.toLowerCase()}`;
  return `the YAML could not be resolved: ${error.message}`;
}
