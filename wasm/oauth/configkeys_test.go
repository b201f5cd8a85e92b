package oauth

import (
	"flag"
	"os"
	"strings"
	"testing"

	"github.com/gopkce/gopkce/wasm/internal/jsonv"
)

var update = flag.Bool("update", false, "rewrite web/doc/configuration.md's table and gopkce.d.ts's Config interface from configKeys")

// web/doc/configuration.md's table and gopkce.d.ts's Config interface are
// derived from configKeys: this test fails when either differs, and
// -update rewrites them.
func TestConfigKeyDocs(t *testing.T) {
	for _, doc := range []struct {
		path, start, end string
		want             func() string
	}{
		{"../../web/doc/configuration.md", "| key | default | meaning |\n| --- | --- | --- |\n", "\n\n", readmeTable},
		{"../../web/gopkce.d.ts", "export interface Config {\n", "}\n", dtsConfig},
	} {
		data, err := os.ReadFile(doc.path)
		if err != nil {
			t.Fatal(err)
		}
		s := string(data)
		i := strings.Index(s, doc.start)
		if i < 0 {
			t.Fatalf("%s: no %q", doc.path, doc.start)
		}
		i += len(doc.start)
		j := strings.Index(s[i:], doc.end)
		if j < 0 {
			t.Fatalf("%s: no end %q after %q", doc.path, doc.end, doc.start)
		}
		got, want := s[i:i+j], doc.want()
		if doc.end == "\n\n" {
			got += "\n"
		}
		if got == want {
			continue
		}
		if *update {
			out := s[:i] + want
			if doc.end == "\n\n" {
				out += s[i+j+1:]
			} else {
				out += s[i+j:]
			}
			if err := os.WriteFile(doc.path, []byte(out), 0o644); err != nil {
				t.Fatal(err)
			}
			t.Logf("rewrote %s", doc.path)
			continue
		}
		t.Errorf("%s is not derived from configKeys; run\n\tgo test ./wasm/oauth -run TestConfigKeyDocs -args -update\nwant:\n%s\ngot:\n%s", doc.path, want, got)
	}
}

func readmeTable() string {
	var b strings.Builder
	for _, k := range configKeys {
		def := k.Default
		if k.Required {
			def = "required"
		}
		b.WriteString("| `" + k.Name + "` | " + def + " | " + k.Doc + " |\n")
	}
	return b.String()
}

func dtsConfig() string {
	var b strings.Builder
	for _, k := range configKeys {
		opt := "?"
		if k.Required {
			opt = ""
		}
		doc := k.Doc
		if !k.Required && k.Default != "none" {
			doc += ". Default: " + k.Default
		}
		b.WriteString("  /** " + doc + " */\n  " + k.Name + opt + ": " + k.Type + ";\n")
	}
	return b.String()
}

// Every key is complete, and every decoder refuses a value of the wrong
// JSON type with invalid_config naming the key.
func TestConfigKeysTable(t *testing.T) {
	seen := map[string]bool{}
	for _, k := range configKeys {
		if k.Name == "" || k.Type == "" || k.Doc == "" || k.set == nil || (k.Default == "") != k.Required {
			t.Errorf("incomplete key %+v", k)
		}
		if seen[k.Name] {
			t.Errorf("key %s twice", k.Name)
		}
		seen[k.Name] = true
		if looksSecret(k.Name) {
			t.Errorf("key %s looks like a secret", k.Name)
		}
		if strings.ContainsAny(k.Doc, "|\n") || strings.Contains(k.Doc, "*/") {
			t.Errorf("%s: doc breaks the configuration table or the d.ts comment", k.Name)
		}
		for _, bad := range []string{`{"x":1}`, `[1]`} {
			if k.Type == "Record<string, string>" && bad[0] == '{' {
				bad = `{"x":1}`
			}
			var c Config
			v, err := jsonv.Decode([]byte(bad))
			if err != nil {
				t.Fatal(err)
			}
			if err := k.set(&c, v); err == nil {
				t.Errorf("%s accepted %s", k.Name, bad)
			}
		}
	}
	// The message for an unknown key lists the known ones.
	_, err := ParseConfig([]byte(`{` + goodConfig + `,"redirectURI":"x"}`))
	if err == nil || !strings.Contains(err.Error(), "redirectUri, ") || !strings.Contains(err.Error(), "timeoutSeconds") {
		t.Fatalf("unknown key: %v", err)
	}
}
