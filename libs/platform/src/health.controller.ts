import { Controller, Get, HttpCode, Inject, Injectable, Req, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Authenticator } from './auth';
import { AUTHENTICATOR, AuthenticatedRequest, identityOf, Public } from './roles.guard';
import { HealthCheck, healthReport, redactedHealthReport } from './service-health';

export const SERVICE_NAME = Symbol('SERVICE_NAME');
export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');

/** The checks /health runs: those given to PlatformModule plus those modules register at start-up. */
@Injectable()
export class HealthRegistry {
  private readonly checks: HealthCheck[];
  constructor(@Inject(HEALTH_CHECKS) initial: HealthCheck[]) {
    this.checks = [...initial];
  }
  register(check: HealthCheck): void {
    this.checks.push(check);
  }
  all(): readonly HealthCheck[] {
    return this.checks;
  }
}

@Controller()
export class HealthController {
  constructor(
    @Inject(SERVICE_NAME) private readonly service: string,
    private readonly registry: HealthRegistry,
    @Inject(AUTHENTICATOR) private readonly authenticator: Authenticator,
  ) {}

  /**
   * 200 when every dependency is healthy, 503 otherwise. Anyone may ask (load balancers do), but
   * only the service's own users see each check's detail: error texts name hosts, paths and versions.
   */
  @Public()
  @Get('health')
  @HttpCode(200)
  async health(@Req() req: AuthenticatedRequest, @Res({ passthrough: true }) res: Response) {
    const report = await healthReport(this.service, this.registry.all());
    if (report.status !== 'ok') res.status(503);
    const own = await identityOf(req, this.authenticator).then((p) => this.authenticator.admit(p), () => undefined).catch(() => undefined);
    return own ? report : redactedHealthReport(report);
  }
}
