export * from './asha.rule';
export * from './dimension';
export * from './early-stopping';
export * from './grid.sampler';
export * from './hyperband.rule';
export * from './median.rule';
export * from './no-stopping.rule';
export * from './pareto';
export * from './random.sampler';
export * from './registry';
export * from './rung-values';
export * from './sampler';
export * from './seeds';
export {
  EVERY_TRIAL,
  isPeerNumber,
  medianOf,
  type PeerNumbers,
  type PeerSummary,
  type RungCheck,
  type RungValue,
  type StopDecision,
  type StoppingRule,
} from './stopping-rule';
export * from './successive-halving';
export * from './sweep-plan';
export * from './tpe.sampler';
export * from './importance';
