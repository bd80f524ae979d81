/** One dependency's view in /health: the database, the ledger, the projector's lag. */
export interface HealthCheck {
  readonly name: string;
  check(): Promise<{ healthy: boolean; detail?: unknown }>;
}

export interface HealthReport {
  readonly status: 'ok' | 'degraded';
  readonly service: string;
  readonly checks: Record<string, { healthy: boolean; detail?: unknown }>;
}

export async function healthReport(service: string, checks: readonly HealthCheck[]): Promise<HealthReport> {
  const results = await Promise.all(checks.map(async (c) => {
    try {
      return [c.name, await c.check()] as const;
    } catch (err) {
      return [c.name, { healthy: false, detail: (err as Error).message }] as const;
    }
  }));
  return {
    status: results.every(([, r]) => r.healthy) ? 'ok' : 'degraded',
    service,
    checks: Object.fromEntries(results),
  };
}
