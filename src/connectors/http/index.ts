/**
 * The shared HTTP layer of the okta, entra-id, scim, rest and workday connectors. The only module that imports undici.
 */
export { HttpClient, type HttpClientOptions, type HttpMethod, type HttpRequest, type HttpResponse, type HttpStats } from './http-client.js';
export { HttpError, apiErrorSummary, errorForStatus, statusRule } from './http-errors.js';
export { linkPages, odataPages, parseLinkHeader, scimPages, type LinkPage, type LinkWalkOptions, type ODataPage, type ScimPage } from './pagination.js';
export { backoffDelay, parseRetryAfter } from './retry-timing.js';
export { displayUrl, isLoopbackHost, secureBaseUrl } from './secure-url.js';
export { CachedToken, type IssuedToken } from './cached-token.js';
export { clientBasicAuthorization, issuedBearerToken, type TokenResponse } from './token-response.js';
export { readCaFile } from './ca-file.js';
export { exportPerObject } from './per-object.js';
export { mapConcurrent, Semaphore } from './semaphore.js';
