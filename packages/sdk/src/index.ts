/**
 * `@souk/sdk`: a typed client of the Souk node API. Actions are plain functions `verbNoun(client, parameters)`.
 */

export {
  accessRequestTypes,
  type DownloadAssetParameters,
  downloadAsset,
  type SignAccessRequestParameters,
  signAccessRequest,
} from './actions/assets/downloadAsset.ts';
export { type GetAssetReturnType, getAsset } from './actions/assets/getAsset.ts';
export {
  type Asset,
  type ListAssetsParameters,
  type ListAssetsReturnType,
  listAssets,
} from './actions/assets/listAssets.ts';
export {
  type PublishAssetParameters,
  type PublishAssetReturnType,
  publishAsset,
} from './actions/assets/publishAsset.ts';
export {
  type UploadContentParameters,
  type UploadContentReturnType,
  uploadContent,
} from './actions/assets/uploadContent.ts';
export { type GetProfileReturnType, getProfile } from './actions/auth/getProfile.ts';
export { type RefreshSessionParameters, refreshSession } from './actions/auth/refreshSession.ts';
export { type SignInParameters, type SignInReturnType, signIn } from './actions/auth/signIn.ts';
export { type GetChainStatusReturnType, getChainStatus } from './actions/chain/getChainStatus.ts';
export { type GetContractsReturnType, getContracts } from './actions/chain/getContracts.ts';
export { type PurchaseLicenceParameters, purchaseLicence } from './actions/licences/purchaseLicence.ts';
export { type SetLicenceTermsParameters, setLicenceTerms } from './actions/licences/setLicenceTerms.ts';
export { type BuyAssetParameters, buyAsset } from './actions/marketplace/buyAsset.ts';
export { type ListAssetParameters, listAsset } from './actions/marketplace/listAsset.ts';
export type { TransactionsReturnType, TransactMode } from './actions/transactions.ts';
export { createSoukClient, type SoukClient, type SoukClientConfig } from './clients/createSoukClient.ts';
export { type Problem, SoukApiError, SoukError } from './errors/base.ts';
