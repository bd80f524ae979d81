/** One dependency's view in /health: the database, the ledger, the projector's lag. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<CheckResult>;
}

export interface CheckResult {
  readonly healthy: boolean;
  /** A stable code saying why it is unhealthy, or (healthy) what to warn of; shown to anyone, e.g. LEDGER_UNREACHABLE. */
  readonly reason?: string;
  /** Anything else (error texts, lag figures): shown to the service's own users only. */
  readonly detail?: unknown;
}

export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly service: string;
  readonly checks: Record<string, CheckResult>;
}

export async function healthReport(service: string, checks: readonly HealthCheck[]): Promise<HealthReport> {
  const results = await Promise.all(checks.map(async (c) => {
    try {
      return [c.name, await c.check()] as const;
    } catch (err) {
      return [c.name, { healthy: false, reason: 'CHECK_FAILED', detail: (err as Error).message }] as const;
    }
  }));
  return {
    status: results.every(([, r]) => r.healthy) ? 'ok' : 'degraded',
    service,
    checks: Object.fromEntries(results),
  };
}

/** The report for callers who did not authenticate: health and reason codes, no details. */
export function redactedHealthReport(report: HealthReport): HealthReport {
  return {
    ...report,
    // A healthy check's reason is a warning code (e.g. CERTIFICATE_EXPIRING): shown too.
    checks: Object.fromEntries(Object.entries(report.checks).map(([name, r]) => [name, r.healthy ? { healthy: true, ...(r.reason ? { reason: r.reason } : {}) } : { healthy: false, reason: r.reason ?? 'UNHEALTHY' }])),
  };
}
