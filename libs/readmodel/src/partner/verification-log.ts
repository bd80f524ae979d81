import type { DataSource } from 'typeorm';

/** One verification answered by this organisation (its own scan or a trading partner's VRS request). */
export interface VerificationEntry {
  readonly scan: string;
  readonly gtin?: string | null;
  readonly serial?: string | null;
  readonly lot?: string | null;
  readonly expiry?: string | null;
  readonly verified: boolean;
  readonly failureReason?: string | null;
  readonly additionalInfo?: string | null;
  readonly alerts?: readonly string[];
  readonly requester: string;
  readonly site: string | null;
  readonly correlationId?: string | null;
  readonly source: string;
  readonly verifiedAt: string;
  readonly context?: string | null;
  readonly attestation?: Record<string, unknown> | null;
}

/** The verification log (an audit trail DSCSA asks verifiers to keep, and the evidence for clone detection). */
export class VerificationLog {
  constructor(private readonly dataSource: DataSource) {}

  async record(v: VerificationEntry): Promise<void> {
    await this.dataSource.query(
      `INSERT INTO verifications (scan, gtin, serial, lot, expiry, verified, "failureReason", "additionalInfo", alerts, requester, site, "correlationId", source, "verifiedAt", context, attestation)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16)`,
      [v.scan, v.gtin ?? null, v.serial ?? null, v.lot ?? null, v.expiry ?? null, v.verified, v.failureReason ?? null, v.additionalInfo ?? null, v.alerts ?? [],
        v.requester, v.site, v.correlationId ?? null, v.source, v.verifiedAt, v.context ?? null, v.attestation && Object.keys(v.attestation).length ? JSON.stringify(v.attestation) : null]);
  }

  /** Whether this serial was verified at a site other than `site` (one serial in two places). */
  async verifiedElsewhere(gtin: string, serial: string, site: string): Promise<boolean> {
    const [row] = await this.dataSource.query(
      `SELECT count(DISTINCT site) AS n FROM verifications WHERE gtin = $1 AND serial = $2 AND site IS NOT NULL AND site <> $3`, [gtin, serial, site]);
    return Number(row.n) > 0;
  }
}
