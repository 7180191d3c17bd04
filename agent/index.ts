/**
 * poolgate/agent: what a Node.js service imports to be changed safely by poolgate. See agent/README.md and
 * docs/service-contract.md.
 */
export { createAgent, PoolAgent, type AgentAnswer, type AgentOptions, type Lifecycle } from './agent';
export { AcquireTimeoutError, type Lease } from './acquire';
export type { TokenSource } from './bearer';
export { PoolConfigError } from './config-error';
export { parsePoolConfig, type LoadedPoolConfig, type PoolConfigSource } from './config-source';
export { ENDPOINT_PATHS, type Endpoint } from './endpoints';
export { poolgateExpress, type ConnectMiddleware } from './express';
export { poolgateFastify, type FastifyLike, type PoolgateFastifyOptions } from './fastify';
export { JsonLog, type Logger, type LogLevel } from './json-log';
export { isSqlError } from './pg-errors';
export { pgPoolOptions, poolFactoryFrom, type PoolFactory, type PoolSettings } from './pool-factory';
export type { ReloadOutcome } from './pool-manager';
export type { StopSignal } from './stop';
export { STOP_GRACE_ENV } from './stop-grace';
export type { PoolConfig } from './generated/pool-config';
export type { ServiceHealth } from './generated/service-health';
export type { ServiceMetrics } from './generated/service-metrics';
export type { ServicePoolConfig } from './generated/service-pool-config';
