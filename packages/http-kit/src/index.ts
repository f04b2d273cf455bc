// The two apps' HTTP edges, once: errors and their body, JSON answers, the bearer check, the
// inspector page's files and the line saying why a listen failed. Server-side only; framework-free (node:http), so Express apps and the
// mock sender's plain router use the same functions.
export {
  type BearerAuthOptions,
  type BearerFailure,
  bearerAuth,
  bearerFailures,
  bearerTokenPattern,
  bearerTokenRule,
} from './bearerAuth.js';
export { errorBody } from './errorBody.js';
export { HttpError } from './HttpError.js';
export { type InspectorAssetsOptions, inspectorAssets } from './inspectorAssets.js';
export { INSPECTOR_CSP, inspectorSecurityHeaders } from './inspectorSecurityHeaders.js';
export { type ListenOptionNames, listenFailure } from './listenFailure.js';
export { type InspectorAsset, loadInspectorAssets } from './loadInspectorAssets.js';
export { sendError } from './sendError.js';
export { sendHttpError } from './sendHttpError.js';
export { setNoStoreHeaders } from './setNoStoreHeaders.js';
export { writeJson } from './writeJson.js';
