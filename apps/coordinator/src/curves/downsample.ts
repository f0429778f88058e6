export interface Series {
  epochs: number[];
  values: number[];
}

/**
 * Largest-Triangle-Three-Buckets downsampling: keeps the first and last points and, from each of
 * `maxPoints - 2` equal buckets in between, the point that spans the largest triangle with its
 * neighbours. Unlike averaging it returns only stored points and keeps spikes and the curve's
 * shape, which is what a learning curve is read for.
 */
export function downsampleLttb(series: Series, maxPoints: number): Series {
  const n = series.epochs.length;
  if (maxPoints >= n || n <= 2) return { epochs: [...series.epochs], values: [...series.values] };
  if (maxPoints < 2) throw new RangeError(`maxPoints must be at least 2, got ${maxPoints}`);
  const { epochs: x, values: y } = series;
  const epochs = [x[0]];
  const values = [y[0]];
  const bucketSize = (n - 2) / (maxPoints - 2);
  let selected = 0;
  for (let bucket = 0; bucket < maxPoints - 2; bucket++) {
    const start = Math.floor(bucket * bucketSize) + 1;
    const end = Math.floor((bucket + 1) * bucketSize) + 1;
    // The next bucket's mean stands in for the third corner (the last point for the last bucket).
    const nextStart = end;
    const nextEnd = Math.min(Math.floor((bucket + 2) * bucketSize) + 1, n);
    let meanX = 0;
    let meanY = 0;
    for (let i = nextStart; i < nextEnd; i++) {
      meanX += x[i];
      meanY += y[i];
    }
    const nextCount = nextEnd - nextStart;
    if (nextCount > 0) {
      meanX /= nextCount;
      meanY /= nextCount;
    } else {
      meanX = x[n - 1];
      meanY = y[n - 1];
    }
    let bestArea = -1;
    let best = start;
    for (let i = start; i < end; i++) {
      const area = Math.abs((x[selected] - meanX) * (y[i] - y[selected]) - (x[selected] - x[i]) * (meanY - y[selected]));
      if (area > bestArea) {
        bestArea = area;
        best = i;
      }
    }
    epochs.push(x[best]);
    values.push(y[best]);
    selected = best;
  }
  epochs.push(x[n - 1]);
  values.push(y[n - 1]);
  return { epochs, values };
}
