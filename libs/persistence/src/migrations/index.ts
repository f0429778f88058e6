import { InitialSchema1795741093377 } from './1795741093377-InitialSchema';
import { TrainingWorkers1795741540357 } from './1795741540357-TrainingWorkers';
import { EarlyStopping1795742954808 } from './1795742954808-EarlyStopping';
import { MetricPointSweep1795745392076 } from './1795745392076-MetricPointSweep';
import { SweepPause1795743348702 } from './1795743348702-SweepPause';
import { ActiveTrialsIndex1796124465208 } from './1796124465208-ActiveTrialsIndex';
import { LiveFeedIndex1796133462608 } from './1796133462608-LiveFeedIndex';
import { TrialBestEpoch1796138164657 } from './1796138164657-TrialBestEpoch';
import { TrialTestScores1796141492533 } from './1796141492533-TrialTestScores';
import { Accounts1796144372695 } from './1796144372695-Accounts';
import { Security1796145700830 } from './1796145700830-Security';
import { Webhooks1796151927802 } from './1796151927802-Webhooks';
import { TrialCreatedAtIndex1796154375491 } from './1796154375491-TrialCreatedAtIndex';
import { TrialTestConfusion1796166794863 } from './1796166794863-TrialTestConfusion';
import { MetricPointReadsById1796180000000 } from './1796180000000-MetricPointReadsById';

/** Every migration, oldest first. Add new ones here after `npm run migration:generate`. */
export const MIGRATIONS = [
  InitialSchema1795741093377,
  TrainingWorkers1795741540357,
  EarlyStopping1795742954808,
  SweepPause1795743348702,
  MetricPointSweep1795745392076,
  ActiveTrialsIndex1796124465208,
  LiveFeedIndex1796133462608,
  TrialBestEpoch1796138164657,
  TrialTestScores1796141492533,
  Accounts1796144372695,
  Security1796145700830,
  Webhooks1796151927802,
  TrialCreatedAtIndex1796154375491,
  TrialTestConfusion1796166794863,
  MetricPointReadsById1796180000000,
];
