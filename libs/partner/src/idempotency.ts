import { createHash, createHmac, randomBytes } from 'node:crypto';
import type { IdempotencyKeys } from '@pedigree/readmodel';
import { canonicalJson } from '@pedigree/domain';
// The Nest-free module, so that unit specs can load this without NestJS.
import { ServiceError } from '@pedigree/platform/client-failure';

/**
 * Where the event-ID secret lives: a row of idempotency_keys under a key no client key can take
 * (client keys are stored as `<MSP ID>:<key>`, and MSP IDs never start with '#'). Kept beside the
 * keys it protects so that it lasts exactly as long as they do; no schema change needed.
 */
const SECRET_KEY = '#event-id-secret';

/**
 * Client idempotency keys. The first request with a key claims it (row without answer), does the
 * work and stores the answer; a repeat returns that answer without writing again. The ledger event
 * ID is derived from the key too, so even a crash between commit and storing the answer cannot
 * produce a second write: the retried submit is a chaincode duplicate of the first. The derivation
 * is an HMAC under a secret of this service, so another organisation that learns or guesses a
 * client's idempotency key cannot compute the event ID and take it first.
 */
export class IdempotencyStore {
  private secret?: Promise<Buffer>;

  constructor(private readonly keys: IdempotencyKeys, private readonly org: string) {}

  async run<T extends object>(key: string | undefined | null, operation: string, request: unknown, work: (eventId: string) => Promise<T>): Promise<T> {
    if (!key) return work(`${operation}:${randomBytes(16).toString('hex')}`);
    if (key.length > 200) throw new ServiceError('BAD_INPUT', 'IDEMPOTENCY_KEY_INVALID', 'idempotency keys are at most 200 characters');
    const scoped = `${this.org}:${key}`;
    const requestHash = createHash('sha256').update(canonicalJson({ operation, request })).digest('hex');
    const eventId = `${operation}:${createHmac('sha256', await this.eventIdSecret()).update(scoped).digest('hex').slice(0, 32)}`;
    if (!(await this.keys.claim(scoped, operation, requestHash))) {
      const row = await this.keys.get(scoped);
      if (!row) throw new Error(`idempotency key ${key} was claimed but cannot be read back`);
      if (row.requestHash !== requestHash) throw new ServiceError('CONFLICT', 'IDEMPOTENCY_KEY_REUSED', `idempotency key ${key} was used for a different request`);
      if (row.response) return row.response as T;
      // Claimed but unanswered: another request is running it, or one crashed before storing the answer.
      // Re-running is safe: the same event ID makes the ledger answer with the first transaction.
    }
    const answer = await work(eventId);
    await this.keys.answer(scoped, answer);
    return answer;
  }

  /** Created once per read model (the first of racing services wins), then read back. */
  private eventIdSecret(): Promise<Buffer> {
    this.secret ??= (async () => {
      return Buffer.from(await this.keys.firstValue(SECRET_KEY, randomBytes(32).toString('hex')), 'hex');
    })().catch((err) => {
      this.secret = undefined; // the database was down: try again on the next request
      throw err;
    });
    return this.secret;
  }
}
