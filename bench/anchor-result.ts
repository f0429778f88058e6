/**
 * The result a Python anchor (../shared/anchors/*.py) prints: one JSON object on the last line of its output.
 * The fields are the anchor's own; the caller names the ones it reads.
 */
export function anchorResult<T>(script: string, stdout: string): T {
  const lastLine = stdout.trim().split('\n').at(-1);
  if (!lastLine) throw new Error(`${script} printed no result`);
  return JSON.parse(lastLine) as T;
}
