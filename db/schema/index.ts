export * from './users';
export * from './services';
export * from './deployments';
export * from './events';
export * from './installation';
export * from './metrics';
