import { InitialForecast1764000000000 } from './1764000000000-initial-forecast';

/** In order. Never edit a released migration: add one. */
export const FORECAST_MIGRATIONS = [InitialForecast1764000000000];
