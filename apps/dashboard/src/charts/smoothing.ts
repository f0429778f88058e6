/**
 * Debiased exponential moving average, as TensorBoard and W&B smooth curves: weight 0 leaves the
 * values as they are, weights near 1 flatten them. The first values are not pulled towards zero.
 */
export function smoothEma(values: readonly number[], weight: number): number[] {
  if (weight <= 0) return [...values];
  let average = 0;
  let debias = 0;
  return values.map((value) => {
    average = average * weight + (1 - weight) * value;
    debias = debias * weight + (1 - weight);
    return average / debias;
  });
}
