export * from './setup-failure';
export * from './ports';
