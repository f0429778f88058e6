import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { metricsToStore } from './trainer';

describe('metricsToStore', () => {
  const epochMetrics = { loss: 0.5, val_loss: 0.6, val_mae: 300, param_count: 4_417, seasonal_naive_val_mae: 410, epoch_seconds: 0.2 };

  it('keeps every metric of the first epoch', () => {
    assert.deepEqual(metricsToStore(1, epochMetrics), epochMetrics);
  });

  it('drops what cannot change during a trial from later epochs', () => {
    assert.deepEqual(metricsToStore(2, epochMetrics), { loss: 0.5, val_loss: 0.6, val_mae: 300, epoch_seconds: 0.2 });
  });
});
