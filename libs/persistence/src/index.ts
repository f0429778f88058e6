export * from './checkpoints.repository';
export * from './database-admin';
export * from './database-options';
export * from './entities';
export * from './metric-points.writer';
export * from './migrations';
export * from './rung-peers.query';
export * from './prepared-query';
