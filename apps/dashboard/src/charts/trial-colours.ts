/**
 * Colours for trials, distinct from one another (a categorical palette of 20, after Tableau's and Glasbey's):
 * each trial keeps its colour on every chart and table of a page.
 */
export const TRIAL_PALETTE = [
  '#1f77b4',
  '#ff7f0e',
  '#2ca02c',
  '#d62728',
  '#9467bd',
  '#8c564b',
  '#e377c2',
  '#17becf',
  '#bcbd22',
  '#7f7f7f',
  '#005f73',
  '#ae2012',
  '#6a4c93',
  '#f4a261',
  '#2a9d8f',
  '#e76f51',
  '#3a86ff',
  '#8ac926',
  '#ff006e',
  '#6d597a',
] as const;

/**
 * A colour per trial number for the trials shown together: each starts at its number's place in the palette
 * (so a trial keeps its colour while the set changes little) and moves to the next free one on a clash, so
 * no two of up to 20 trials share a colour.
 */
export function trialColours(numbers: readonly number[]): Map<number, string> {
  const taken = new Set<number>();
  const colours = new Map<number, string>();
  for (const number of [...new Set(numbers)].sort((a, b) => a - b)) {
    let slot = number % TRIAL_PALETTE.length;
    for (let tries = 0; taken.has(slot) && tries < TRIAL_PALETTE.length; tries++) slot = (slot + 1) % TRIAL_PALETTE.length;
    taken.add(slot);
    colours.set(number, TRIAL_PALETTE[slot]);
  }
  return colours;
}
