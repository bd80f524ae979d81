import { InitialReadModel1763800000000 } from './1763800000000-initial-read-model';

/** In order. Never edit a released migration: add one. */
export const READ_MODEL_MIGRATIONS = [InitialReadModel1763800000000];
