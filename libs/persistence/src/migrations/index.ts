import { InitialSchema1795741093377 } from './1795741093377-InitialSchema';
import { TrainingWorkers1795741540357 } from './1795741540357-TrainingWorkers';

/** Every migration, oldest first. Add new ones here after `npm run migration:generate`. */
export const MIGRATIONS = [InitialSchema1795741093377, TrainingWorkers1795741540357];
