/**
 * The command-line arguments of a bench script run as itself, and none when another script imports it:
 * bench/run.ts imports the scripts' report helpers, and its flags (--skip-demo, ...) are not theirs.
 */
export function ownArgs(script: NodeJS.Module): string[] {
  return require.main === script ? process.argv.slice(2) : [];
}
