/**
 * `@souk/contracts`: typed ABIs (`as const`), the deployment module and the anvil devnet launcher.
 */
export * from './anvil.ts';
export * from './deploy.ts';
export * from './devnet.ts';
export * from './errors.ts';
export * from './generated/abis.ts';
export * from './simulateSequence.ts';
