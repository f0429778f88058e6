import { parseDocument } from 'yaml';
import { SweepSpecSchema, type SweepSpec } from './sweep-spec.schema';
import { SpecValidationError, toValidationIssues } from './validation-issue';

/**
 * Validates a sweep spec given as an already-parsed object or as JSON/YAML text (YAML is a superset
 * of JSON, so one parser reads both). Throws SpecValidationError naming every offending field.
 */
export function parseSweepSpec(body: unknown): SweepSpec {
  const input = typeof body === 'string' ? parseSpecText(body) : body;
  if (input === undefined || input === null || (typeof input === 'object' && !Array.isArray(input) && Object.keys(input).length === 0)) {
    throw new SpecValidationError([{ path: '', message: 'the sweep spec is empty: send a JSON (application/json) or YAML (application/yaml) object' }]);
  }
  const result = SweepSpecSchema.safeParse(input);
  if (!result.success) throw new SpecValidationError(toValidationIssues(result.error, input));
  return result.data;
}

function parseSpecText(text: string): unknown {
  const doc = parseDocument(text, { prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    throw new SpecValidationError(
      doc.errors.map((error) => ({
        path: '',
        message: error.linePos ? `YAML/JSON syntax error at line ${error.linePos[0].line}, column ${error.linePos[0].col}: ${error.message.split('\n')[0]}` : error.message,
      })),
    );
  }
  return doc.toJS({ maxAliasCount: 100 });
}
