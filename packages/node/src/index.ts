/**
 * `@souk/node`: build the API (`build`), start a whole node (`startNode`), load configuration (`loadConfig`).
 */
export { build } from './app.ts';
export { createJobBus } from './bus/createJobBus.ts';
export { ConfigError, loadConfig, type NodeConfig } from './config.ts';
export { type RunningNode, startNode } from './server.ts';
export type { NodeServices } from './services.ts';
