import type { EarlyStoppingOf } from '@tuneforge/contracts';
import type { StoppingRule } from './stopping-rule';

/** `earlyStopping: { type: none }`: every trial runs all its epochs. */
export const noStoppingRule: StoppingRule<EarlyStoppingOf<'none'>> = {
  rungAt: () => undefined,
  decide: () => ({ stop: false, reason: 'no early stopping' }),
};
