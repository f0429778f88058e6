import { readFileSync } from 'node:fs';
import { isNode, LineCounter, parseDocument, type Document } from 'yaml';
import { parseSweepSpec, SpecValidationError, type ValidationIssue } from '@tuneforge/contracts';

/** A sweep file that cannot be read or is not a valid sweep, with every problem located in the file. */
export class SpecFileError extends Error {
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`${file} is not a valid sweep:\n${problems.map((p) => `  ${p}`).join('\n')}`);
    this.name = 'SpecFileError';
  }
}

export interface SpecFile {
  file: string;
  text: string;
}

/**
 * Reads a sweep file and checks it with the coordinator's own rules before anything is sent, so
 * mistakes come back as `file:line:column` rather than as a rejected request.
 */
export function readSpecFile(file: string): SpecFile {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new SpecFileError(file, [code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory, not a sweep file' : (error as Error).message]);
  }
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, uniqueKeys: true, prettyErrors: false });
  if (doc.errors.length > 0) {
    throw new SpecFileError(
      file,
      doc.errors.map((e) => {
        const at = lines.linePos(e.pos[0]);
        return `${file}:${at.line}:${at.col}: ${e.message.split('\n')[0]}`;
      }),
    );
  }
  try {
    parseSweepSpec(doc.toJS({ maxAliasCount: 100 }));
  } catch (error) {
    if (error instanceof SpecValidationError) throw new SpecFileError(file, locateIssues(file, text, error.issues));
    throw error;
  }
  return { file, text };
}

/** `file:line:column: path: message` for each issue, at the field's node or its nearest existing parent. */
export function locateIssues(file: string, text: string, issues: readonly ValidationIssue[]): string[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines });
  return issues.map((issue) => {
    const offset = offsetOf(doc, issue.path);
    const where = offset === undefined ? file : `${file}:${lines.linePos(offset).line}:${lines.linePos(offset).col}`;
    return `${where}: ${issue.path || '(the whole spec)'}: ${issue.message}`;
  });
}

function offsetOf(doc: Document, path: string): number | undefined {
  const keys: (string | number)[] = path ? path.split('.').map((k) => (/^\d+$/.test(k) ? Number(k) : k)) : [];
  for (let depth = keys.length; depth >= 0; depth--) {
    const node = depth === 0 ? doc.contents : doc.getIn(keys.slice(0, depth), true);
    // For a key that exists, point at its value; a missing key points at the mapping that lacks it.
    if (isNode(node) && node.range) return node.range[0];
  }
  return undefined;
}
