/**
 * Licence usages in the API (`POST /api/v1/licences/terms` and `/purchase`'s `usage`), one for each value of the
 * Licenses contract's `Usage` enum:
 *
 * - `access` (`Usage.Access`, the default): the storage gateway releases the asset's plaintext to the licensee;
 * - `training` (`Usage.Training`): the licensee may order training and evaluation jobs on the asset
 *   (compute-to-data, `datasetReference.ts`) and never receives the plaintext.
 */
export const LICENCE_USAGES = ['access', 'training'] as const;

/** One of {@link LICENCE_USAGES}. */
export type LicenceUsage = (typeof LICENCE_USAGES)[number];
