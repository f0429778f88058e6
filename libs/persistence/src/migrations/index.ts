import { InitialSchema1795741093377 } from './1795741093377-InitialSchema';

/** Every migration, oldest first. Add new ones here after `npm run migration:generate`. */
export const MIGRATIONS = [InitialSchema1795741093377];
