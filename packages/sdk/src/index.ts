/**
 * `@souk/sdk`: a typed client of the Souk node API. Actions are plain functions `verbNoun(client, parameters)`.
 */

export {
  type GetLicencesOverTimeErrorType,
  type GetLicencesOverTimeParameters,
  type GetLicencesOverTimeReturnType,
  getLicencesOverTime,
  type LicencesBucket,
} from './actions/analytics/getLicencesOverTime.ts';
export {
  type GetMarketVolumeErrorType,
  type GetMarketVolumeParameters,
  type GetMarketVolumeReturnType,
  getMarketVolume,
  type MarketVolume,
} from './actions/analytics/getMarketVolume.ts';
export {
  type GetModelPerformanceParameters,
  type GetModelPerformanceReturnType,
  getModelPerformance,
} from './actions/analytics/getModelPerformance.ts';
export {
  type GetOrdersOverTimeErrorType,
  type GetOrdersOverTimeParameters,
  type GetOrdersOverTimeReturnType,
  getOrdersOverTime,
  type OrdersBucket,
} from './actions/analytics/getOrdersOverTime.ts';
export {
  type GetProviderStatsErrorType,
  type GetProviderStatsParameters,
  type GetProviderStatsReturnType,
  getProviderStats,
  type ProviderStatsRow,
} from './actions/analytics/getProviderStats.ts';
export {
  type GetTopAssetsErrorType,
  type GetTopAssetsParameters,
  type GetTopAssetsReturnType,
  getTopAssets,
  type TopAsset,
} from './actions/analytics/getTopAssets.ts';
export {
  type DownloadAssetParameters,
  downloadAsset,
  type SignAccessRequestParameters,
  signAccessRequest,
} from './actions/assets/downloadAsset.ts';
export { type GetAssetReturnType, getAsset } from './actions/assets/getAsset.ts';
export {
  type AssetManifest,
  type GetAssetManifestErrorType,
  type GetAssetManifestParameters,
  type GetAssetManifestReturnType,
  getAssetManifest,
} from './actions/assets/getAssetManifest.ts';
export {
  type GetModelEvaluationsParameters,
  type GetModelEvaluationsReturnType,
  getModelEvaluations,
} from './actions/assets/getModelEvaluations.ts';
export {
  type Asset,
  type ListAssetsParameters,
  type ListAssetsReturnType,
  listAssets,
} from './actions/assets/listAssets.ts';
export {
  type MintManifestErrorType,
  type MintManifestParameters,
  type MintManifestReturnType,
  mintManifest,
} from './actions/assets/mintManifest.ts';
export {
  type PublishAssetParameters,
  type PublishAssetReturnType,
  publishAsset,
  type TensorSpec,
} from './actions/assets/publishAsset.ts';
export {
  type PublishAssetVersionErrorType,
  type PublishAssetVersionParameters,
  type PublishAssetVersionReturnType,
  publishAssetVersion,
} from './actions/assets/publishAssetVersion.ts';
export {
  type UploadContentParameters,
  type UploadContentReturnType,
  uploadContent,
} from './actions/assets/uploadContent.ts';
export {
  type CreateApiKeyErrorType,
  type CreateApiKeyParameters,
  type CreateApiKeyReturnType,
  createApiKey,
} from './actions/auth/createApiKey.ts';
export { type GetProfileReturnType, getProfile } from './actions/auth/getProfile.ts';
export { type RefreshSessionParameters, refreshSession } from './actions/auth/refreshSession.ts';
export {
  type RevokeApiKeyErrorType,
  type RevokeApiKeyParameters,
  type RevokeApiKeyReturnType,
  revokeApiKey,
} from './actions/auth/revokeApiKey.ts';
export { type SignInParameters, type SignInReturnType, signIn } from './actions/auth/signIn.ts';
export {
  type UpdateProfileErrorType,
  type UpdateProfileParameters,
  type UpdateProfileReturnType,
  updateProfile,
} from './actions/auth/updateProfile.ts';
export {
  type EstimateGasErrorType,
  type EstimateGasParameters,
  type EstimateGasReturnType,
  estimateGas,
} from './actions/chain/estimateGas.ts';
export {
  type ChainEvent,
  type GetChainEventsErrorType,
  type GetChainEventsParameters,
  type GetChainEventsReturnType,
  getChainEvents,
} from './actions/chain/getChainEvents.ts';
export { type GetChainStatusReturnType, getChainStatus } from './actions/chain/getChainStatus.ts';
export { type GetContractsReturnType, getContracts } from './actions/chain/getContracts.ts';
export {
  type GetTransactionErrorType,
  type GetTransactionParameters,
  type GetTransactionReturnType,
  getTransaction,
} from './actions/chain/getTransaction.ts';
export {
  type EventTopic,
  type SoukEventMessage,
  type SubscribeEventsErrorType,
  type SubscribeEventsParameters,
  type SubscribeEventsReturnType,
  subscribeEvents,
} from './actions/events/subscribeEvents.ts';
export {
  type CheckLicenceErrorType,
  type CheckLicenceParameters,
  type CheckLicenceReturnType,
  checkLicence,
} from './actions/licences/checkLicence.ts';
export {
  type GetMyLicencesErrorType,
  type GetMyLicencesParameters,
  type GetMyLicencesReturnType,
  getMyLicences,
  type HeldLicence,
} from './actions/licences/getMyLicences.ts';
export { type PurchaseLicenceParameters, purchaseLicence } from './actions/licences/purchaseLicence.ts';
export { type SetLicenceTermsParameters, setLicenceTerms } from './actions/licences/setLicenceTerms.ts';
export {
  type GetModelLineageParameters,
  type GetModelLineageReturnType,
  getModelLineage,
} from './actions/lineage/getModelLineage.ts';
export { type BuyAssetParameters, buyAsset } from './actions/marketplace/buyAsset.ts';
export {
  type GetListingsErrorType,
  type GetListingsParameters,
  type GetListingsReturnType,
  getListings,
  type Listing,
} from './actions/marketplace/getListings.ts';
export {
  type GetOwnedAssetsErrorType,
  type GetOwnedAssetsParameters,
  type GetOwnedAssetsReturnType,
  getOwnedAssets,
} from './actions/marketplace/getOwnedAssets.ts';
export { type ListAssetParameters, listAsset } from './actions/marketplace/listAsset.ts';
export { type GetHealthErrorType, type GetHealthReturnType, getHealth } from './actions/ops/getHealth.ts';
export { type GetNodeInfoErrorType, type GetNodeInfoReturnType, getNodeInfo } from './actions/ops/getNodeInfo.ts';
export { type GetReadinessErrorType, type GetReadinessReturnType, getReadiness } from './actions/ops/getReadiness.ts';
export { type GetOrderErrorType, getOrder, type Order, type OrderAttestation } from './actions/orders/getOrder.ts';
export {
  isNodeUnreachable,
  type ReconnectedInfo,
  type ReconnectingInfo,
  reconnectDelayMs,
} from './actions/orders/reconnect.ts';
export {
  type BatchItem,
  type RunBatchOrderParameters,
  type RunBatchOrderProgress,
  type RunBatchOrderReturnType,
  runBatchOrder,
} from './actions/orders/runBatchOrder.ts';
export { type RunOrderParameters, type RunOrderReturnType, runOrder } from './actions/orders/runOrder.ts';
export {
  ResultVerificationError,
  type VerifiedResult,
  verifyOrderResult,
} from './actions/orders/verifyOrderResult.ts';
export {
  type VerifiedZkResult,
  type VerifyZkResultParameters,
  verifyZkResult,
  ZkVerificationError,
  type ZkVerificationFailure,
} from './actions/orders/verifyZkResult.ts';
export {
  type CollectRoyaltiesParameters,
  collectRoyalties,
} from './actions/royalties/collectRoyalties.ts';
export {
  type GetRoyaltiesParameters,
  type GetRoyaltiesReturnType,
  getRoyalties,
} from './actions/royalties/getRoyalties.ts';
export {
  type GetTrainingStatusParameters,
  type GetTrainingStatusReturnType,
  getTrainingStatus,
} from './actions/training/getTrainingStatus.ts';
export {
  type GetVerificationStatusParameters,
  type GetVerificationStatusReturnType,
  getVerificationStatus,
} from './actions/training/getVerificationStatus.ts';
export { createRoundRun, getRoundRun, recordRound } from './actions/training/roundRuns.ts';
export {
  type RoundSummary,
  type RunRoundsParameters,
  type RunRoundsReturnType,
  runRounds,
} from './actions/training/runRounds.ts';
export type { TransactionsReturnType, TransactMode } from './actions/transactions.ts';
export { createSoukClient, type SoukClient, type SoukClientConfig } from './clients/createSoukClient.ts';
export { type Problem, SoukApiError, SoukError } from './errors/base.ts';
export { JobFailedError } from './errors/jobs.ts';
