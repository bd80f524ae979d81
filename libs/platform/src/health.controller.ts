import { Controller, Get, HttpCode, Inject, Injectable, Res } from '@nestjs/common';
import type { Response } from 'express';
import { Public } from './roles.guard';
import { HealthCheck, healthReport } from './service-health';

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
  ) {}

  /** 200 when every dependency is healthy, 503 otherwise, with each check's detail. */
  @Public()
  @Get('health')
  @HttpCode(200)
  async health(@Res({ passthrough: true }) res: Response) {
    const report = await healthReport(this.service, this.registry.all());
    if (report.status !== 'ok') res.status(503);
    return report;
  }
}
