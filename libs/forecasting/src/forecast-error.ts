/**
 * Every refusal of the library is a ForecastError with a stable code, so the API layer can map it to a
 * response (400 for bad input, 409 for an incompatible stored model) without parsing messages.
 */
export type ForecastErrorCode =
  | 'EMPTY_SERIES'
  | 'INVALID_HORIZON'
  | 'INVALID_QUANTILES'
  | 'INVALID_MONTH'
  | 'DUPLICATE_MONTH'
  | 'INVALID_CSV'
  | 'UNKNOWN_COLUMN'
  | 'NO_TRAINABLE_SERIES'
  | 'INCOMPATIBLE_MODEL'
  | 'INVALID_OPTIONS';

export class ForecastError extends Error {
  constructor(
    readonly code: ForecastErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ForecastError';
  }
}
