/**
 * Reading a training recipe (`souk train`, `souk rounds`): the asset's manifest, refused unless its pipeline is
 * `train` (docs/training.md).
 */
import { type AssetManifest, getAssetManifest } from '@souk/sdk';
import type { Context } from './context.ts';
import { UsageError } from './errors.ts';

/**
 * The manifest of a training-recipe asset.
 * @throws {UsageError} When the asset is not a training recipe.
 * @throws {SoukApiError} From the node (e.g. 404 for no such asset).
 */
export async function readTrainingRecipe(context: Context, recipeId: bigint): Promise<AssetManifest> {
  const recipe = await getAssetManifest(context.client, { assetId: recipeId });
  if (recipe.runtime?.pipeline !== 'train') {
    throw new UsageError(`Asset ${recipeId} is not a training recipe (its pipeline is ${recipe.runtime?.pipeline}).`);
  }
  return recipe;
}
