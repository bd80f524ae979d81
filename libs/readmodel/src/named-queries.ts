import { Column, DataSource, Entity, PrimaryColumn } from 'typeorm';

/** A named EPCIS query of the REST binding (POST /queries): the service's own record, kept across rebuilds. */
@Entity('epcis_queries')
export class NamedQueryRow {
  @PrimaryColumn({ type: 'text' }) name!: string;
  @Column({ type: 'bigint', insert: false, update: false }) seq!: string;
  /** The SimpleEventQuery parameters as given (name → values), checked by parseEpcisQuery when created. */
  @Column({ type: 'jsonb' }) query!: Record<string, string[]>;
  @Column({ type: 'timestamptz' }) createdAt!: Date;
  @Column({ type: 'text', nullable: true }) createdBy!: string | null;
}

/** The only way to epcis_queries. */
export class NamedQueryRepository {
  constructor(private readonly dataSource: DataSource) {}

  /** False when the name is taken (nothing changes then). */
  async create(name: string, query: Record<string, string[]>, createdBy?: string, now = new Date()): Promise<boolean> {
    const rows: unknown[] = await this.dataSource.query(
      `INSERT INTO epcis_queries (name, query, "createdAt", "createdBy") VALUES ($1, $2, $3, $4) ON CONFLICT (name) DO NOTHING RETURNING name`,
      [name, JSON.stringify(query), now, createdBy ?? null]);
    return rows.length === 1;
  }

  get(name: string): Promise<NamedQueryRow | null> {
    return this.dataSource.getRepository(NamedQueryRow).findOneBy({ name });
  }

  /** In creation order; `after` is the seq of the last query of the previous page. */
  list(limit: number, after?: string): Promise<NamedQueryRow[]> {
    const q = this.dataSource.getRepository(NamedQueryRow).createQueryBuilder('q').orderBy('q.seq', 'ASC').limit(limit);
    if (after !== undefined) q.where('q.seq > :after', { after });
    return q.getMany();
  }

  async delete(name: string): Promise<boolean> {
    return ((await this.dataSource.getRepository(NamedQueryRow).delete({ name })).affected ?? 0) > 0;
  }
}
