// Types for gopkce, written once here:
// - the ES module (gopkce.mjs, the npm package's main entry) through
//   gopkce.d.mts, which re-exports this file;
// - the global `gopkce` of the classic script (gopkce.js): reference this
//   file (/// <reference path="gopkce.d.ts" />, or "types": ["gopkce"]) and
//   use `gopkce.configure(...)`, with types as `gopkce.Config`.

export type ErrorCode =
  | "invalid_config"
  | "invalid_argument"
  | "state_mismatch"
  | "no_pending_login"
  | "invalid_callback"
  | "issuer_mismatch"
  | "invalid_login_state"
  | "login_required"
  | "network_error"
  | "invalid_response"
  | "invalid_grant"
  | "invalid_id_token"
  | "invalid_discovery"
  | "storage_error"
  | "provider_error"
  | "load_error"
  | "internal_error"
  | "origin_not_allowed"
  | "insufficient_user_authentication"
  | "invalid_userinfo"
  | "popup_blocked"
  | "popup_closed"
  | "popup_timeout"
  | "popup_in_progress"
  | "tokens_on_server"
  | "route_not_allowed"
  // Codes the provider sends back that are registered for OAuth 2.0 and
  // OpenID Connect; any other provider code is "provider_error", with the
  // provider's code in providerCode.
  // RFC 6749 §4.1.2.1 and §5.2:
  | "invalid_request"
  | "unauthorized_client"
  | "access_denied"
  | "unsupported_response_type"
  | "invalid_scope"
  | "server_error"
  | "temporarily_unavailable"
  | "invalid_client"
  | "unsupported_grant_type"
  // RFC 7009 §2.2.1:
  | "unsupported_token_type"
  // OpenID Connect Core §3.1.2.6:
  | "interaction_required"
  | "account_selection_required"
  | "consent_required"
  | "invalid_request_uri"
  | "invalid_request_object"
  | "request_not_supported"
  | "request_uri_not_supported"
  | "registration_not_supported"
  // RFC 9449 §5 (DPoP):
  | "invalid_dpop_proof"
  | "use_dpop_nonce";

/** Every rejection is a GopkceError. */
export interface GopkceError extends Error {
  name: "GopkceError";
  code: ErrorCode;
  /** The provider's error_description, as plain text: show it with textContent. */
  description: string;
  /** The configuration key refused, for invalid_config. */
  field?: string;
  /**
   * The error code the provider sent, when it sent a well-formed one. `code`
   * is that code only when it is a registered OAuth 2.0 / OpenID Connect
   * code, and "provider_error" otherwise.
   */
  providerCode?: string;
  /** HTTP status of the token endpoint's answer, when there was one. */
  status?: number;
  /**
   * The ID token check that failed (invalid_id_token, or login_required
   * after a refresh whose ID token was refused): "present", "format", "alg",
   * "iss", "aud", "azp", "exp", "nbf", "iat", "sub", "nonce", "auth_time",
   * "kid" or "signature"; also "acr". For invalid_discovery, `field` names the member.
   */
  check?: string;
  /** insufficient_user_authentication: the acr_values the API asked for (RFC 9470). */
  acrValues?: string;
  /** insufficient_user_authentication: the max_age the API asked for, in seconds. */
  maxAge?: number;
}

export interface Config {
  /** https, or http on localhost / 127.0.0.1 / [::1] only. Default: from discovery or a preset */
  authorizationEndpoint?: string;
  /** https, or http on localhost / 127.0.0.1 / [::1] only; the provider must allow CORS from the page's origin. Default: from discovery or a preset; required without `tokenHandler` */
  tokenEndpoint?: string;
  /** same-origin path of a server-side token handler (`"/oauth"`) for a confidential client, instead of `tokenEndpoint`: it holds the secret and keeps the refresh token in an HttpOnly cookie */
  tokenHandler?: string;
  /** same-origin path of a server-side backend for frontend (`"/bff"`), instead of `tokenEndpoint` or `tokenHandler`: it holds the secret and every token; `getToken` refuses with `tokens_on_server`, and `gopkce.fetch` sends API calls through its proxy */
  bff?: string;
  /** the public client (there is no secret in a browser) */
  clientId: string;
  /** sent exactly as given; the callback URL must be the same URL (scheme, host, port and path; host case, a default port and an empty path as `/` do not matter); an origin the browser writes otherwise (`http://[0:0:0:0:0:0:0:1]`, `:0443`, `http://127.1`) is refused with the form to use */
  redirectUri: string;
  /** compared exactly with the callback's `iss` (RFC 9207) and the ID token's (required with `openid`); alone, without endpoints, it means discovery; also names the storage keys and the lock */
  issuer?: string;
  /** read `{issuer}/.well-known/openid-configuration`, lazily (never during `configure`): implied by an issuer without endpoints, by `discoveryUrl`, and by `openid` without `jwksUri`; explicit values win; a document naming another issuer, or without S256, is refused. Default: `false` */
  discovery?: boolean;
  /** a discovery document under another path (Azure AD B2C policies); its issuer is adopted unless `issuer` is set, which it must then equal */
  discoveryUrl?: string;
  /** the provider's key set, which ID token signatures are verified against. Default: from discovery or a preset */
  jwksUri?: string;
  /** token revocation (RFC 7009; Cognito `/oauth2/revoke`): `logout` revokes the refresh token there before it navigates. Default: from discovery or a preset */
  revocationEndpoint?: string;
  /** Amazon Cognito preset: hosted-UI endpoints on `domain`, issuer `https://cognito-idp.<region>.amazonaws.com/<userPoolId>`, its `jwks.json`, 30-day refresh tokens */
  cognito?: { domain: string; userPoolId: string };
  /** Azure AD B2C preset: discovery under `authority` (the policy's `.../v2.0` URL), 24-hour SPA refresh tokens */
  azureB2C?: { authority: string };
  /** Microsoft Entra ID preset (workforce): discovery under `https://login.microsoftonline.com/<tenant>/v2.0`; `tenant` is the tenant's id, a domain, `common`, `organizations` or `consumers` (the ID token's `iss` is then checked with its `tid`); scope `openid profile offline_access` when none is set; 24-hour SPA refresh tokens */
  entraId?: { tenant: string };
  /** Microsoft Entra External ID preset: discovery under `https://<tenant>.ciamlogin.com/<tenant>.onmicrosoft.com/v2.0`; `tenant` is the subdomain; scope `openid profile offline_access` when none is set; 24-hour SPA refresh tokens */
  entraExternalId?: { tenant: string };
  /** OpenID Connect UserInfo endpoint (Core §5.3; Cognito `/oauth2/userInfo`), read by `getUserInfo`. Default: from discovery or a preset */
  userinfoEndpoint?: string;
  /** clock skew tolerated on the ID token's `exp`, `nbf` and `iat` (at most 600). Default: `300` */
  clockLeewaySeconds?: number;
  /** the provider always sends `iss` (its `authorization_response_iss_parameter_supported`): a callback without it is refused. Default: `false` */
  issParameterSupported?: boolean;
  /** space-separated; `openid` adds a nonce that is checked in the ID token */
  scope?: string;
  /** more authorization parameters (`prompt`, `login_hint`, ...); protocol parameters cannot be overridden */
  extraParams?: Record<string, string>;
  /** Cognito `/logout` (`client_id`, `logout_uri`) */
  logoutEndpoint?: string;
  /** OpenID Connect logout (`client_id`, `post_logout_redirect_uri`) */
  endSessionEndpoint?: string;
  /** send `id_token_hint` to the end-session endpoint (`endSessionEndpoint`, or the discovery document's `end_session_endpoint`, checked when logout runs), for providers that need it to end the session (Ory Hydra); the ID token then appears in a URL (history, provider logs). Default: `false` */
  idTokenHint?: boolean;
  /** where the provider sends the browser after logout. Default: origin of `redirectUri` + `/` */
  postLogoutRedirectUri?: string;
  /** tokens in `sessionStorage` (one tab), shared by every tab of the origin (`"local"`, kept in IndexedDB), or `"memory"`. Default: `"session"`; `"local"` with `tokenHandler`, which allows no other */
  storage?: "session" | "local" | "memory";
  /** refresh when the token expires within this, capped at half the lifetime it was issued with; `0`: only once expired. Default: `60` */
  refreshMarginSeconds?: number;
  /** which token `getToken` returns: `"id_token"` for APIs that still take the ID token. Default: `"access_token"` */
  useToken?: "access_token" | "id_token";
  /** seconds, `"cognito"` (30 days) or `"azure-b2c-spa"` (24 h, fixed), counted from the login: providers do not return it. Default: unknown */
  refreshTokenLifetime?: number | "cognito" | "azure-b2c-spa";
  /** the access token's lifetime when the response has no `expires_in`. Default: `3600` */
  defaultExpiresInSeconds?: number;
  /** timeout of each token request. Default: `15` */
  timeoutSeconds?: number;
  /** the origins `gopkce.fetch` sends the token to, such as `"https://api.example.com"` (https, or http on loopback), compared as the browser writes origins (`http://127.1` is `http://127.0.0.1`); any other URL is refused before sending. Default: the origin of `redirectUri` */
  apiOrigins?: string[];
  /** bind the tokens to a non-extractable key (DPoP, RFC 9449; see the DPoP page): `"if-supported"` keeps a provider's Bearer token, with a `dpop_not_bound` event; `"required"` refuses it. Default: off */
  dpop?: "if-supported" | "required";
}

export interface Session {
  loggedIn: boolean;
  /** Access-token expiry, ms since the epoch (local clock). */
  expiresAt?: number;
  /** Refresh-token expiry by the configured lifetime, ms since the epoch. */
  refreshTokenExpiresAt?: number;
  hasRefreshToken: boolean;
  scope?: string;
  /** With `dpop`: the thumbprint (RFC 7638) of the key the tokens are bound to; absent for Bearer tokens. */
  dpopJkt?: string;
}

export type EventType =
  | "tokens_changed"
  | "login_required"
  | "refresh_token_expiring"
  | "logged_out"
  | "dpop_not_bound";

export interface GopkceEvent {
  type: EventType;
  /** tokens_changed: access-token expiry; refresh_token_expiring: its expiry (ms). */
  expiresAt?: number;
  code?: string;
  /** True when another tab sharing the tokens (storage "local") caused it. */
  fromOtherTab: boolean;
}

/** Per-call authorization-request parameters (OpenID Connect Core §3.1.2.1). */
export interface LoginOptions {
  returnTo?: string;
  prompt?: string;
  loginHint?: string;
  /** max_age: the ID token's auth_time is then required and checked. */
  maxAge?: number;
  acrValues?: string;
  /** the ID token's acr must be one of acrValues. */
  acrEssential?: boolean;
  uiLocales?: string;
  /** further parameters, under the rules of the configuration's extraParams. */
  extraParams?: Record<string, string>;
}

export interface Gopkce {
  /** Resolves when the module runs; rejects with code "load_error". */
  readonly ready: Promise<void>;
  configure(config: Config): Promise<void>;
  /** Redirects to the provider; resolves with the authorization URL. */
  startLogin(options?: LoginOptions & { navigate?: boolean }): Promise<string>;
  /**
   * Signs in in a popup opened at once (call it from a click); resolves
   * once the session is stored, the page never navigating. Rejects with
   * "popup_blocked", "popup_closed" (closed while still blank, or
   * replaced by a later call), "popup_timeout" (a popup closed at the
   * provider is seen only then: a COOP-severed popup reads closed),
   * "popup_in_progress" (the previous popup is still blank: it is focused)
   * or the provider's error; no pending login is left behind.
   */
  loginWithPopup(options?: LoginOptions & { timeoutSeconds?: number }): Promise<{ returnTo: string }>;
  /**
   * Signs in again with what an "insufficient_user_authentication" error
   * of gopkce.fetch asked for (RFC 9470): in a popup, or by redirect with
   * popup: false. The new session replaces the old one only once its ID
   * token passed every check.
   */
  stepUp(error: GopkceError, options?: LoginOptions & { popup?: boolean; timeoutSeconds?: number }): Promise<unknown>;
  /**
   * The UserInfo endpoint's claims (OpenID Connect Core §5.3) for the
   * current access token; its sub must be the ID token's. Rejects with
   * "invalid_userinfo" (error.check: status, format, size, sub, or an ID
   * token check of a signed answer) or like getToken.
   */
  getUserInfo(): Promise<Record<string, unknown> | null>;
  /** Validates the callback and exchanges the code once. */
  handleCallback(url?: string): Promise<{ returnTo: string }>;
  /**
   * A valid token, refreshed when it expires within refreshMarginSeconds
   * (never more than half the lifetime it was issued with), one refresh at
   * a time across tabs. A non-boolean forceRefresh rejects with
   * "invalid_argument".
   */
  getToken(options?: { forceRefresh?: boolean }): Promise<string>;
  /**
   * Claims of the session's ID token, or null. The ID token was verified
   * before it was stored: signature against the provider's key set, iss,
   * aud, azp, exp, iat, sub and nonce (OpenID Connect Core §3.1.3.7), and
   * on refresh the same iss, sub and aud (§12.2).
   */
  getClaims(): Promise<Record<string, unknown> | null>;
  /**
   * Claims decoded from a JWT access token, or null (opaque token). NOT
   * verified: for display; the API that receives the token verifies it.
   */
  getUnverifiedAccessTokenClaims(): Promise<Record<string, unknown> | null>;
  getSession(): Promise<Session>;
  /**
   * Forgets the tokens, revokes the refresh token at the revocation
   * endpoint when one is known (RFC 7009, a few seconds at most; the local
   * state is gone whatever it answers), and visits the provider's logout
   * endpoint. Resolves with that URL.
   */
  logout(options?: { navigate?: boolean }): Promise<string>;
  on(type: EventType | "*", listener: (event: GopkceEvent) => void): () => void;
  /**
   * fetch with `Authorization: Bearer <token>`, for the origins of
   * `apiOrigins` only: any other URL rejects with code "origin_not_allowed"
   * before anything is sent. A 401 whose WWW-Authenticate says
   * error="invalid_token" makes one refresh and one retry; every other
   * response is returned as is. Rejects like getToken (login_required...).
   * With `bff`, the request goes to the server's proxy route for its URL
   * (a URL under no route rejects with "route_not_allowed"), which adds the
   * token; the proxy's 401 "token_expired" makes one refresh and one retry.
   */
  fetch(input: RequestInfo | URL, init?: RequestInit): Promise<Response>;
  /**
   * The headers that authorise a request of `method` to `url`, for HTTP
   * clients other than gopkce.fetch: `Authorization` (Bearer, or DPoP
   * with `dpop` on) and, for a DPoP-bound session, the `DPoP` proof,
   * valid for this one request. Same origins rule as fetch. `nonce` is a
   * `DPoP-Nonce` header the server sent with a use_dpop_nonce 401.
   */
  getAuthHeaders(method: string, url: string, options?: { nonce?: string }): Promise<{ Authorization: string; DPoP?: string }>;
  /** Starts the module from a URL (ES module use, or data-manual scripts). */
  load(wasmUrl: string): Promise<void>;
}

declare const gopkce: Gopkce;
export default gopkce;
export const ready: Gopkce["ready"];
export const configure: Gopkce["configure"];
export const startLogin: Gopkce["startLogin"];
export const handleCallback: Gopkce["handleCallback"];
export const getToken: Gopkce["getToken"];
export const getClaims: Gopkce["getClaims"];
export const getUnverifiedAccessTokenClaims: Gopkce["getUnverifiedAccessTokenClaims"];
export const getSession: Gopkce["getSession"];
export const logout: Gopkce["logout"];
export const on: Gopkce["on"];
export const fetch: Gopkce["fetch"];
export const getAuthHeaders: Gopkce["getAuthHeaders"];

type _Config = Config;
type _Session = Session;
type _GopkceError = GopkceError;
type _GopkceEvent = GopkceEvent;
type _ErrorCode = ErrorCode;
type _EventType = EventType;
type _Gopkce = Gopkce;

declare global {
  // eslint-disable-next-line no-var
  var gopkce: Gopkce;
  /** The types, for pages that use the global: `let c: gopkce.Config`. */
  namespace gopkce {
    type Config = _Config;
    type Session = _Session;
    type GopkceError = _GopkceError;
    type GopkceEvent = _GopkceEvent;
    type ErrorCode = _ErrorCode;
    type EventType = _EventType;
    type Gopkce = _Gopkce;
  }
}
