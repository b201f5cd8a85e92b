package gate

import (
	"encoding/json"
	"net/http/httptest"
	"testing"

	"github.com/gopkce/gopkce/wasm/internal/protocol"
)

func TestWireCode(t *testing.T) {
	for code, want := range map[protocol.Code]protocol.Code{
		protocol.CookieMissing: protocol.InvalidGrant,
		protocol.CookieInvalid: protocol.InvalidGrant,
		protocol.CookieExpired: protocol.InvalidGrant,
		protocol.Forbidden:     protocol.Forbidden,
		"access_denied":        "access_denied",
	} {
		if got := WireCode(string(code)); got != string(want) {
			t.Errorf("WireCode(%q) = %q, want %q", code, got, want)
		}
	}
}

func TestWriteError(t *testing.T) {
	w := httptest.NewRecorder()
	WriteError(w, 503, string(protocol.TemporarilyUnavailable), "the provider is busy", 7)
	if w.Code != 503 || w.Header().Get("Retry-After") != "7" || w.Header().Get("Content-Type") != "application/json" {
		t.Fatalf("status %d, headers %v", w.Code, w.Header())
	}
	var body map[string]string
	if err := json.Unmarshal(w.Body.Bytes(), &body); err != nil || body["error"] != "temporarily_unavailable" || body["error_description"] != "the provider is busy" || len(body) != 2 {
		t.Fatalf("body %s (%v)", w.Body, err)
	}

	w = httptest.NewRecorder()
	WriteError(w, 400, string(protocol.CookieExpired), "", 0)
	if w.Header().Get("Retry-After") != "" || w.Body.String() != `{"error":"invalid_grant"}` {
		t.Fatalf("Retry-After %q, body %s", w.Header().Get("Retry-After"), w.Body)
	}
	if w.Header().Get("Content-Length") != "25" {
		t.Fatalf("Content-Length %q", w.Header().Get("Content-Length"))
	}
}

func TestWriteJSONRefusesWhatCannotBeMarshalled(t *testing.T) {
	w := httptest.NewRecorder()
	if err := WriteJSON(w, 200, map[string]any{"f": func() {}}); err == nil {
		t.Fatal("no error")
	}
	if w.Body.Len() != 0 || w.Header().Get("Content-Type") != "" {
		t.Fatalf("wrote %q, %v", w.Body, w.Header())
	}
}
