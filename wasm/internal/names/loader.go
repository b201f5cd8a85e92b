package names

// Name is one constant of the block generated at the top of web/gopkce.js:
// its JavaScript identifier and its value, a string or an integer.
type Name struct {
	JS    string
	Value any
}

// Loader lists every name web/gopkce.js needs, in the order of its
// generated block. The loader spells none of them anywhere else.
var Loader = []Name{
	{"NAMESPACE", Namespace},
	{"HOOK_BIND", HookBind},
	{"HOOK_EMIT", HookEmit},
	{"HOOK_TOKEN", HookToken},
	{"HOOK_TAKE_DB", HookTakeDB},
	{"HOOK_REDEEM", HookRedeem},

	{"EXPORT_CONFIGURE", ExportConfigure},
	{"EXPORT_START_LOGIN", ExportStartLogin},
	{"EXPORT_HANDLE_CALLBACK", ExportHandleCallback},
	{"EXPORT_GET_TOKEN", ExportGetToken},
	{"EXPORT_GET_CLAIMS", ExportGetClaims},
	{"EXPORT_GET_UNVERIFIED_ACCESS_TOKEN_CLAIMS", ExportGetUnverifiedAccessTokenClaims},
	{"EXPORT_GET_SESSION", ExportGetSession},
	{"EXPORT_LOGOUT", ExportLogout},
	{"EXPORT_API_TOKEN", ExportAPIToken},
	{"EXPORT_GET_USER_INFO", ExportGetUserInfo},

	{"LOGIN_PREFIX", LoginPrefix},
	{"CALLBACK_PREFIX", CallbackPrefix},
	{"FAST_RECORD_KEY", FastRecordKey},

	{"DB_NAME", DBName},
	{"DB_VERSION", DBVersion},
	{"DB_STORE", DBStore},

	{"RECORD_CONFIG", RecordConfig},
	{"RECORD_TOKEN", RecordToken},
	{"RECORD_UNTIL", RecordUntil},
	{"RECORD_TOKENS_KEY", RecordTokensKey},
	{"RECORD_HASH", RecordHash},
	{"RECORD_SESSION", RecordSession},
	{"RECORD_ORIGINS", RecordOrigins},

	{"HASH_SEED1", HashSeed1},
	{"HASH_SEED2", HashSeed2},
	{"HASH_MUL1", HashMul1},
	{"HASH_MUL2", HashMul2},
	{"HASH_MIX1", HashMix1},
	{"HASH_MIX2", HashMix2},
}
