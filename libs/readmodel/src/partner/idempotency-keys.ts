import type { DataSource } from 'typeorm';

export interface IdempotencyClaim {
  readonly operation: string;
  readonly requestHash: string;
  readonly response: unknown;
}

/** Idempotency keys of this read model's API: claimed once, answered once (libs/partner IdempotencyStore holds the rule). */
export class IdempotencyKeys {
  constructor(private readonly dataSource: DataSource) {}

  /** true when this call took the key; false when it was taken before. */
  async claim(key: string, operation: string, requestHash: string): Promise<boolean> {
    const claimed: unknown[] = await this.dataSource.query(
      `INSERT INTO idempotency_keys (key, operation, "requestHash", response, "createdAt") VALUES ($1, $2, $3, NULL, now()) ON CONFLICT (key) DO NOTHING RETURNING key`,
      [key, operation, requestHash]);
    return claimed.length > 0;
  }

  async get(key: string): Promise<IdempotencyClaim | undefined> {
    const [row] = await this.dataSource.query(`SELECT operation, "requestHash", response FROM idempotency_keys WHERE key = $1`, [key]);
    return row;
  }

  async answer(key: string, response: unknown): Promise<void> {
    await this.dataSource.query(`UPDATE idempotency_keys SET response = $2 WHERE key = $1`, [key, response]);
  }

  /** Stores `value` under `key` unless a value is there already, and answers the stored one (the first of racing services wins). */
  async firstValue(key: string, value: string): Promise<string> {
    await this.dataSource.query(
      `INSERT INTO idempotency_keys (key, operation, "requestHash", response, "createdAt") VALUES ($1, 'secret', $2, '{}', now()) ON CONFLICT (key) DO NOTHING`, [key, value]);
    const [row] = await this.dataSource.query(`SELECT "requestHash" AS value FROM idempotency_keys WHERE key = $1`, [key]);
    return String(row.value);
  }
}
