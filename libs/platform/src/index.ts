export * from './bootstrap';
export * from './health.controller';
export * from './platform.module';
export * from './service-health';
