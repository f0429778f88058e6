/** The motions of recordingsCsv, told apart by how the two axes move. */
export const RECORDING_CLASSES = ['idle', 'walk', 'run'] as const;

/**
 * A CSV of accelerometer recordings (deterministic): `steps` rows of x and y per recording, labelled by its
 * motion: idle (small noise), walk (a slow sine), run (a fast sine); each recording starts at its own phase.
 * Columns: recording, t, x, y, activity.
 */
export function recordingsCsv(recordings: number, steps = 12): string {
  let state = 12345;
  const noise = () => ((state = (Math.imul(state, 1664525) + 1013904223) >>> 0) / 2 ** 32 - 0.5) * 0.3;
  const lines = ['recording,t,x,y,activity'];
  for (let r = 0; r < recordings; r++) {
    const activity = RECORDING_CLASSES[(r * 7) % 3];
    const period = activity === 'walk' ? 8 : 3;
    const phase = (r * 1.7) % (2 * Math.PI);
    for (let t = 0; t < steps; t++) {
      const angle = phase + (2 * Math.PI * t) / period;
      const [x, y] = activity === 'idle' ? [noise(), noise()] : [Math.sin(angle) + noise(), Math.cos(angle) + noise()];
      lines.push(`rec-${r},${t},${x.toFixed(4)},${y.toFixed(4)},${activity}`);
    }
  }
  return lines.join('\n');
}
