package bff

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/gopkce/gopkce/wasm/server/internal/sealed"
)

// TestCognitoSizedSession measures the cookies of a session with
// Cognito-sized tokens (an access token of 1,070 bytes, an ID token of
// 1,230, a refresh token of 1,780: a JWE) for web/doc/bff.md, and checks
// that it fits in 2 chunks.
func TestCognitoSizedSession(t *testing.T) {
	s := session{V: 1, AccessToken: strings.Repeat("a", 1070), IDToken: strings.Repeat("i", 1230), RefreshToken: strings.Repeat("r", 1780),
		Scope: "openid email profile", Handle: strings.Repeat("h", 22), AccessExpires: 1_700_003_600, LoginAt: 1_700_000_000, Expires: 1_702_592_000}
	plain, _ := json.Marshal(s)
	sealedLen := sealed.SealedLen(len(plain))
	per := MaxChunkBytes - len(CookieName+"-4")
	chunks := (sealedLen + per - 1) / per
	t.Logf("plaintext %d bytes, sealed %d bytes, %d chunks of at most %d", len(plain), sealedLen, chunks, per)
	if chunks != 2 {
		t.Fatalf("Cognito-sized tokens take %d chunks, the docs say 2", chunks)
	}
}
