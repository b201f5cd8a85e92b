package tokenhandler

import (
	"encoding/base64"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestSecretFromEnv(t *testing.T) {
	t.Setenv("TH_SECRET", " from-env \n")
	if v, err := SecretFromEnv("TH_SECRET"); err != nil || v != "from-env" {
		t.Fatalf("%q %v", v, err)
	}
	path := filepath.Join(t.TempDir(), "secret")
	os.WriteFile(path, []byte("from-file\n"), 0o600)
	t.Setenv("TH_SECRET", "")
	t.Setenv("TH_SECRET_FILE", path)
	if v, err := SecretFromEnv("TH_SECRET"); err != nil || v != "from-file" {
		t.Fatalf("%q %v", v, err)
	}
	t.Setenv("TH_SECRET_FILE", path+".missing")
	if _, err := SecretFromEnv("TH_SECRET"); err == nil || strings.Contains(err.Error(), "from-file") {
		t.Fatalf("missing file: %v", err)
	}
	t.Setenv("TH_SECRET_FILE", "")
	if _, err := SecretFromEnv("TH_SECRET"); err == nil {
		t.Fatal("unset accepted")
	}
}

func TestParseKey(t *testing.T) {
	k := []byte(strings.Repeat("k", 32))
	for _, enc := range []*base64.Encoding{base64.StdEncoding, base64.RawStdEncoding, base64.URLEncoding, base64.RawURLEncoding} {
		if got, err := ParseKey(enc.EncodeToString(k) + "\n"); err != nil || string(got) != string(k) {
			t.Fatalf("%v %v", got, err)
		}
	}
	for _, bad := range []string{"", "not base64!", base64.StdEncoding.EncodeToString(k[:16])} {
		if _, err := ParseKey(bad); err == nil {
			t.Fatalf("%q accepted", bad)
		}
	}
}
