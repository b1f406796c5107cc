/**
 * Lineage royalties (docs/training.md, docs/contracts.md): a model trained through the market owes part of its
 * creator earnings to its lineage — the creator of the training recipe (its parent) and the owners of the datasets it
 * was trained on. Each parent asset declares its share in its manifest (`license.derivedRoyaltyBps`); the node
 * writes the shares into the derived model's lineage (`lineage.royalties`) and mints it through
 * `LineageRoyalties.mintDerived`, whose RoyaltySplit pays them on-chain.
 */

/** Most one parent asset may claim of a derived model's creator earnings, basis points (25 %). */
export const MAX_DERIVED_ROYALTY_BPS = 2_500;

/** Most a derived model's whole lineage may take, basis points (50 %): `LineageRoyalties.MAX_LINEAGE_BPS`. */
export const MAX_LINEAGE_BPS = 5_000;

/** Most lineage recipients of one derived model: `LineageRoyalties.MAX_LINEAGE_RECIPIENTS`. */
export const MAX_LINEAGE_RECIPIENTS = 16;

/** One recipient of a derived model's lineage royalties, as its manifest's `lineage.royalties` lists it. */
export type LineageRoyalty = {
  /** Who is paid (lower-case address): the recipe's creator, or the dataset's owner when the model was minted. */
  account: string;
  /** Its share of every creator payment of the derived model, basis points. */
  bps: number;
  /** The parent asset that declared it (decimal token id). */
  assetId: string;
  /** What the parent is to the model. */
  role: 'recipe' | 'dataset';
};
