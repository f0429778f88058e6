import type { SweepSpec } from './sweep-spec.schema';
import type { ParamValue } from './search-space.schema';

import type { SweepStatus, TrialStatus } from './lifecycle';

/** What a trial trains: the resolved dataset settings and model hyperparameters. */
export interface TrialConfig {
  model: 'lstm' | 'simulated';
  dataset: Record<string, ParamValue | string[]> & { source: string };
  /** Per-layer hyperparameters (`hiddenUnits` with `type: perLayer`) hold one number per layer. */
  hyperparameters: Record<string, ParamValue | number[]>;
  maxEpochs: number;
  checkpointEvery: number;
}

/** `requeued`: the reconciler found the trial's job lost (or its worker gone) and queued it again; `superseded`: a run stopped because a later claim took the trial over. */
export const TRIAL_EVENT_TYPES = ['started', 'resumed', 'checkpoint-fallback', 'handed-back', 'requeued', 'superseded', 'completed', 'pruned', 'failed', 'cancelled'] as const;
export type TrialEventType = (typeof TRIAL_EVENT_TYPES)[number];

export interface TrialEvent {
  at: string;
  type: TrialEventType;
  message: string;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit: number;
  offset: number;
}

export interface TrialCounts {
  total: number;
  queued: number;
  running: number;
  completed: number;
  pruned: number;
  failed: number;
  cancelled: number;
}

export interface SweepDto {
  id: string;
  name: string;
  status: SweepStatus;
  spec: SweepSpec;
  seed: number;
  objective: SweepSpec['objective'];
  algorithm: SweepSpec['algorithm']['type'];
  /** Trials the sweep will run in all: maxTrials, or the grid's size when it is smaller. */
  plannedTrials: number;
  trialsCreated: number;
  trialCounts: TrialCounts;
  best: { trialId: string; value: number } | null;
  createdAt: string;
  updatedAt: string;
  finishedAt: string | null;
}

export interface TrialDto {
  id: string;
  sweepId: string;
  number: number;
  status: TrialStatus;
  statusReason: string | null;
  config: TrialConfig;
  seed: number;
  attempts: number;
  bestMetric: number | null;
  lastEpoch: number | null;
  prunedRung: number | null;
  workerId: string | null;
  backend: string | null;
  events: TrialEvent[];
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
}

export interface WorkerDto {
  id: string;
  host: string;
  pid: number;
  backend: string;
  concurrency: number;
  runningTrialIds: string[];
  startedAt: string;
  lastHeartbeatAt: string;
  heartbeatAgeSeconds: number;
}

export interface MetricSeriesDto {
  trialId: string;
  metrics: Record<string, { epochs: number[]; values: number[] }>;
}

export interface CancelSweepResultDto {
  sweep: SweepDto;
  cancelledTrials: number;
  removedJobs: number;
}
