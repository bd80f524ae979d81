import { DataSource } from 'typeorm';
import { Ledger, LedgerError } from '@pedigree/ledger';
import { ServiceError } from '@pedigree/platform';
import { PublishedForecastRow } from './entities';
import { canonicalForecastJson, forecastDigest } from './forecast-digest';
import { ServedForecast } from './forecasts';

export interface PublishedPage {
  readonly gtin: string | null;
  readonly location: string | null;
  /** Keyset cursor: publication time and digest of the last row seen. */
  readonly after: { readonly publishedAt: string; readonly digest: string } | null;
  readonly limit: number;
}

/** The published-forecasts job: stored forecast documents, their anchors on the ledger, and verification. */
export class PublishedForecasts {
  constructor(
    private readonly own: DataSource,
    private readonly ledger: () => Ledger,
    private readonly log: (line: string) => void = () => undefined,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Stores a forecast and anchors its digest on the ledger; publishing the same forecast again changes nothing. */
  async publish(served: ServedForecast): Promise<PublishedForecastRow> {
    const repo = this.own.getRepository(PublishedForecastRow);
    let row = await repo.findOneBy({ digest: served.digest });
    if (!row) {
      row = repo.create({
        digest: served.digest, gtin: served.document.gtin, location: served.document.location, granularity: served.document.granularity,
        modelVersion: served.document.modelVersion, method: served.document.method, document: served.document as unknown as Record<string, unknown>,
        publishedAt: this.now(), anchorStatus: 'pending', anchorTransactionId: null, anchorError: null,
      });
      await repo.save(row);
    }
    if (row.anchorStatus !== 'anchored') await this.anchor(row);
    return row;
  }

  private async anchor(row: PublishedForecastRow): Promise<void> {
    const command = {
      eventId: `forecast-${row.digest}`, digest: row.digest, modelVersion: row.modelVersion, gtin: row.gtin, location: row.location,
      publishedAt: new Date(row.publishedAt).toISOString(),
    };
    try {
      const result = await this.ledger().submit('AnchorForecast', [JSON.stringify(command)], { contract: 'forecast' });
      const answer = JSON.parse(Buffer.from(result.payload).toString('utf8')) as { anchor: { txId: string } };
      row.anchorStatus = 'anchored';
      row.anchorTransactionId = answer.anchor.txId;
      row.anchorError = null;
    } catch (err) {
      row.anchorStatus = 'failed';
      row.anchorError = (err as Error).message;
      this.log(`anchoring ${row.digest} failed: ${(err as Error).message}`);
    }
    await this.own.getRepository(PublishedForecastRow).save(row);
  }

  /** What the ledger says about a digest, beside what this service published under it. */
  async verify(digest: string): Promise<{ anchor: Record<string, string> | undefined; published: PublishedForecastRow | null; documentMatches: boolean | null }> {
    const d = digest.trim().toLowerCase();
    if (!/^[0-9a-f]{64}$/.test(d)) throw new ServiceError('BAD_INPUT', 'INVALID_DIGEST', 'a forecast digest is a SHA-256 in hex (64 characters)');
    let anchor: Record<string, string> | undefined;
    try {
      anchor = JSON.parse(Buffer.from(await this.ledger().evaluate('GetForecastAnchor', [d], { contract: 'forecast' })).toString('utf8')) as Record<string, string>;
    } catch (err) {
      if (!(err instanceof LedgerError && err.chaincodeCode === 'NOT_FOUND')) throw err;
    }
    const published = await this.own.getRepository(PublishedForecastRow).findOneBy({ digest: d });
    const documentMatches = published ? forecastDigest(published.document) === d : null;
    return { anchor, published, documentMatches };
  }

  canonical(row: PublishedForecastRow): string {
    return canonicalForecastJson(row.document);
  }

  /** Published forecasts, newest first. */
  async page(query: PublishedPage): Promise<PublishedForecastRow[]> {
    return this.own.getRepository(PublishedForecastRow).createQueryBuilder('f')
      .where('(:g::text IS NULL OR f.gtin = :g)', { g: query.gtin })
      .andWhere('(:l::text IS NULL OR f.location = :l)', { l: query.location })
      .andWhere('(:at::timestamptz IS NULL OR (f."publishedAt", f.digest) < (:at::timestamptz, :d))', { at: query.after?.publishedAt ?? null, d: query.after?.digest ?? '' })
      .orderBy('f."publishedAt"', 'DESC').addOrderBy('f.digest', 'DESC').limit(query.limit).getMany();
  }
}
