// Package names holds the names gopkce spells in the browser: its keys in
// sessionStorage and IndexedDB, its IndexedDB schema, its Web Lock and
// BroadcastChannel names, the hooks through which the loader
// (web/gopkce.js) and the browser program (wasm/browser) reach each other,
// and the fields and hash of the fast path's record.
//
// Where both Go and the loader need a name, Go spells it here and the
// loader's copy sits in a block at the top of web/gopkce.js generated from
// [Loader]; the package's test fails when the block differs, and
//
//	go test ./wasm/internal/names -args -update
//
// rewrites it.
package names

// Keys in browser storage. A key named ...Prefix is followed by a state, a
// session key or an id.
const (
	// LoginPrefix + state is a login in flight, kept in the tab's
	// sessionStorage from startLogin to its callback.
	LoginPrefix = "gopkce:login:"
	// CallbackPrefix + state marks a callback's code as redeemed, in the
	// IndexedDB store that every tab of the origin shares, so that the code
	// is exchanged once.
	CallbackPrefix = "gopkce:callback:"
	// TokensPrefix + session key holds a session's token set.
	TokensPrefix = "gopkce:tokens:"
	// FastRecordKey holds the fast path's record in sessionStorage (storage
	// "session" only).
	FastRecordKey = "gopkce:fast"
	// TabKey holds the tab's id in its sessionStorage.
	TabKey = "gopkce:tab"
	// TabLeavingKey holds the id a leaving page hands on to the next page
	// of its tab.
	TabLeavingKey = "gopkce:tab-leaving"
	// DPoPKeyPrefix + thumbprint holds a DPoP key pair (a non-extractable
	// CryptoKey pair, RFC 9449) in the IndexedDB store.
	DPoPKeyPrefix = "gopkce:dpop-key:"
	// DPoPNoncePrefix + server origin holds that server's last DPoP-Nonce
	// (RFC 9449 §8), shared by every tab.
	DPoPNoncePrefix = "gopkce:dpop-nonce:"
)

// The IndexedDB database: tokens shared by every tab (storage "local") and
// the markers of redeemed codes, in one object store of string values.
const (
	DBName    = "gopkce"
	DBVersion = 1
	DBStore   = "kv"
)

// Web Lock and BroadcastChannel names.
const (
	// RefreshLockPrefix + session key is the Web Lock held while a
	// session's tokens are refreshed.
	RefreshLockPrefix = "gopkce:refresh:"
	// TabLockPrefix + tab id is the Web Lock a page holds for as long as
	// it lives, so that a duplicated tab can tell that its id is taken.
	TabLockPrefix = "gopkce:tab:"
	// EventsChannelPrefix + session key is the BroadcastChannel that tells
	// the tabs sharing a session about new tokens and logout.
	EventsChannelPrefix = "gopkce:events:"
)

// Namespace is the global object the loader defines, window.gopkce. The
// hooks below are its members that the browser program calls; the page
// never does.
const Namespace = "gopkce"

// The loader's hooks.
const (
	// HookBind(api) hands the loader the module's functions (the Export
	// names) once the module runs.
	HookBind = "_bind"
	// HookEmit(type, detail) has the loader call the page's listeners.
	HookEmit = "_emit"
	// HookToken(record, stored) hands the loader the fast path's record,
	// its JSON text, or null to withdraw it.
	HookToken = "_token"
	// HookTakeDB() returns the IndexedDB connection the loader opened
	// while the module was compiled (a Promise of it, or of null), or null.
	HookTakeDB = "_takeDB"
	// HookRedeem(key) returns the redemption the loader started for key (a
	// Promise of true when this page redeemed the code first, false when
	// it was redeemed before, null without a database), or null.
	HookRedeem = "_redeem"
)

// The module's functions, members of the object it hands to HookBind. The
// loader calls them; apart from apiToken, gopkce.fetch's helper, each
// backs the page's function of the same name.
const (
	ExportConfigure                      = "configure"
	ExportStartLogin                     = "startLogin"
	ExportHandleCallback                 = "handleCallback"
	ExportGetToken                       = "getToken"
	ExportGetClaims                      = "getClaims"
	ExportGetUnverifiedAccessTokenClaims = "getUnverifiedAccessTokenClaims"
	ExportGetSession                     = "getSession"
	ExportLogout                         = "logout"
	ExportAPIToken                       = "apiToken"
	ExportGetUserInfo                    = "getUserInfo"
)

// The fast path's record: a JSON object the module hands the loader
// (HookToken) and, with storage "session", keeps under FastRecordKey.
const (
	// RecordConfig is the configuration's JSON, as the page passed it to
	// configure: the record serves only that configuration.
	RecordConfig = "c"
	// RecordToken is the token getToken answers with.
	RecordToken = "t"
	// RecordUntil is when the token stops being served, in milliseconds
	// since the epoch.
	RecordUntil = "u"
	// RecordTokensKey is the storage key of the token set the token comes
	// from (stored records only).
	RecordTokensKey = "k"
	// RecordHash is the set hash of that token set (stored records only).
	RecordHash = "h"
	// RecordSession is the session getSession reports while the token is
	// served: {loggedIn, expiresAt, hasRefreshToken, scope,
	// refreshTokenExpiresAt}, no token.
	RecordSession = "s"
	// RecordOrigins lists the origins gopkce.fetch sends the token to,
	// serialised as the browser's URL.origin is.
	RecordOrigins = "o"
)

// The set hash is cyrb53, a 53-bit hash of a string's UTF-16 code units,
// computed by both the module and the loader: its two seeds, the
// multipliers applied per code unit and the two of the final mix.
const (
	HashSeed1 = 0xdeadbeef
	HashSeed2 = 0x41c6ce57
	HashMul1  = 2654435761
	HashMul2  = 1597334677
	HashMix1  = 2246822507
	HashMix2  = 3266489909
)
