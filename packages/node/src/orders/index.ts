/**
 * Compute protocol v2 on the node: orders accepted over HTTP (`accept.ts`), driven by the coordinator
 * (`coordinator.ts` around the pure `decide.ts`), settled in batches (`settler.ts`). {@link startOrderRole} starts
 * the leader-only half (coordinator + settler). Acceptance runs on every node: the leader hands an order to its
 * coordinator at once, a standby stores it in the shared database for the leader to adopt (`accept.ts`).
 */
import type { JobBus } from '../bus/types.ts';
import type { Referee } from '../compute/referee.ts';
import type { NodeServices } from '../services.ts';
import { type OrderCoordinatorOptions, startOrderCoordinator } from './coordinator.ts';
import { type SettlerOptions, startSettler } from './settler.ts';

/** Options of {@link startOrderRole}. */
export type OrderRoleOptions = OrderCoordinatorOptions & { settler?: SettlerOptions | undefined };

/**
 * Starts the order coordinator and the batch settler, and publishes the coordinator as `services.orders`.
 * @returns `stop()`, which stops both (the settler first, so no batch is sent by a stopping node) and clears
 *   `services.orders`.
 * @throws {Error} When the deployment has no ComputeEscrow or the node no operator key.
 */
export async function startOrderRole(
  services: NodeServices,
  bus: JobBus,
  referee: Pick<Referee, 'runModel'>,
  options: OrderRoleOptions,
): Promise<{ stop(): Promise<void> }> {
  if (!services.chain.deployment.contracts.computeEscrow) throw new Error('The deployment has no ComputeEscrow.');
  const coordinator = await startOrderCoordinator(services, bus, referee, options);
  const settler = await startSettler(services, coordinator, { log: options.log, ...options.settler });
  services.orders = coordinator;
  return {
    async stop() {
      if (services.orders === coordinator) services.orders = undefined;
      await settler.stop();
      await coordinator.stop();
    },
  };
}

export { startOrderCoordinator } from './coordinator.ts';
export { startSettler } from './settler.ts';
