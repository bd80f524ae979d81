import { Controller, Get, HttpCode, Inject, Res } from '@nestjs/common';
import type { Response } from 'express';
import { HealthCheck, healthReport } from './service-health';

export const SERVICE_NAME = Symbol('SERVICE_NAME');
export const HEALTH_CHECKS = Symbol('HEALTH_CHECKS');

@Controller()
export class HealthController {
  constructor(
    @Inject(SERVICE_NAME) private readonly service: string,
    @Inject(HEALTH_CHECKS) private readonly checks: HealthCheck[],
  ) {}

  /** 200 when every dependency is healthy, 503 otherwise, with each check's detail. */
  @Get('health')
  @HttpCode(200)
  async health(@Res({ passthrough: true }) res: Response) {
    const report = await healthReport(this.service, this.checks);
    if (report.status !== 'ok') res.status(503);
    return report;
  }
}
