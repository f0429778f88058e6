import { InitialSchema1795739877032 } from './1795739877032-InitialSchema';

/** Every migration, oldest first. Add new ones here after `npm run migration:generate`. */
export const MIGRATIONS = [InitialSchema1795739877032];
