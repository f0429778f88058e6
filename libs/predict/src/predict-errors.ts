/** Where a problem with the rows given to a model is: a CSV line (1-based, the header is line 1) or a row of an array (1-based), and a column. */
export interface InputIssue {
  line?: number;
  row?: number;
  column?: string;
  message: string;
}

/** At most this many problems are reported at once (the rest are usually the same mistake again). */
export const MAX_INPUT_ISSUES = 20;

/** The rows (or the prompt) given to a model cannot be used as they are; `issues` says where and why. */
export class PredictInputError extends Error {
  constructor(readonly issues: readonly InputIssue[]) {
    super(issues.map(describeIssue).join('; '));
    this.name = 'PredictInputError';
  }
}

/** The model could not be loaded, or is not a Tuneforge model bundle of the kind asked for. */
export class ModelBundleError extends Error {
  override name = 'ModelBundleError';
}

function describeIssue(issue: InputIssue): string {
  const where = issue.line !== undefined ? `line ${issue.line}` : issue.row !== undefined ? `row ${issue.row}` : '';
  return [where, issue.column !== undefined ? `column '${issue.column}'` : '', issue.message].filter(Boolean).join(', ');
}
