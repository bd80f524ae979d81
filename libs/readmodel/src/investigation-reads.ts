import type { DataSource } from 'typeorm';
import type { InvestigationRecord } from '@pedigree/domain';

/** How the organisation stands to an investigation. */
export type InvestigationSide = 'investigator' | 'holder' | 'notified';

export interface InvestigationQuery {
  readonly org: string;
  /** Any side when absent. */
  readonly side?: InvestigationSide;
  readonly states?: readonly string[];
  readonly limit: number;
}

/** The investigations repository over the read model: newest first, filtered by party in SQL (GIN on holders and notified). */
export class InvestigationReads {
  constructor(private readonly dataSource: DataSource) {}

  async list(q: InvestigationQuery): Promise<InvestigationRecord[]> {
    const side = {
      investigator: 'investigator = $1',
      holder: 'holders @> ARRAY[$1]::text[]',
      notified: 'notified @> ARRAY[$1]::text[]',
    };
    const party = q.side ? side[q.side] : `(${Object.values(side).join(' OR ')})`;
    const rows: Array<{ record: InvestigationRecord }> = await this.dataSource.query(
      `SELECT record FROM investigations WHERE ${party} AND ($2::text[] IS NULL OR state = ANY($2::text[]))
       ORDER BY "openedAt" DESC, investigator, id LIMIT $3`, [q.org, q.states?.length ? q.states : null, q.limit]);
    return rows.map((r) => r.record);
  }

  /** One investigation, when the organisation is a party to it. */
  async get(org: string, investigator: string, id: string): Promise<InvestigationRecord | undefined> {
    const [r]: Array<{ record: InvestigationRecord }> = await this.dataSource.query(
      `SELECT record FROM investigations WHERE investigator = $1 AND id = $2 AND (investigator = $3 OR holders @> ARRAY[$3]::text[] OR notified @> ARRAY[$3]::text[])`,
      [investigator, id, org]);
    return r?.record;
  }

  /** Unresolved investigations (not cleared) that hold a pack: what a scan screen says about it. */
  async holding(org: string, epc: string): Promise<InvestigationRecord[]> {
    const rows: Array<{ record: InvestigationRecord }> = await this.dataSource.query(
      `SELECT record FROM investigations WHERE packs @> ARRAY[$2]::text[] AND state <> 'cleared' AND (investigator = $1 OR holders @> ARRAY[$1]::text[]) ORDER BY "openedAt"`, [org, epc]);
    return rows.map((r) => r.record);
  }
}
