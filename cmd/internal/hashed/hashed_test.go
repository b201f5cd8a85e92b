package hashed

import (
	"bytes"
	"os"
	"regexp"
	"testing"
)

func TestNameChangesWithTheModule(t *testing.T) {
	a, b := Name([]byte("\x00asm one build")), Name([]byte("\x00asm another build"))
	if a == b {
		t.Fatalf("two modules share the name %s", a)
	}
	if a != Name([]byte("\x00asm one build")) {
		t.Fatal("the same module gets two names")
	}
	if !Is(a) || !Is(b) {
		t.Fatalf("Is refuses the names it makes: %s %s", a, b)
	}
}

func TestIs(t *testing.T) {
	for name, want := range map[string]bool{
		"gopkce.0123456789abcdef.wasm":    true,
		"gopkce.wasm":                     false,
		"gopkce.0123456789ABCDEF.wasm":    false,
		"gopkce.0123456789abcde.wasm":     false,
		"gopkce.0123456789abcdef0.wasm":   false,
		"gopkce.0123456789abcdef.wasm.br": false,
		"other.0123456789abcdef.wasm":     false,
		"gopkce.0123456789abcdeg.wasm":    false,
	} {
		if Is(name) != want {
			t.Errorf("Is(%q) = %v, want %v", name, !want, want)
		}
	}
}

func TestRewrite(t *testing.T) {
	const name = "gopkce.0123456789abcdef.wasm"
	for _, tc := range []struct{ in, want string }{
		{`<link rel="preload" href="/gopkce.wasm" as="fetch" crossorigin>`, `<link rel="preload" href="/gopkce.0123456789abcdef.wasm" as="fetch" crossorigin>`},
		{`<link href="/gopkce.wasm" rel="preload">x`, `<link href="/gopkce.0123456789abcdef.wasm" rel="preload">x`},
		{`<link rel="preload" href="gopkce.wasm" as="fetch">`, `<link rel="preload" href="gopkce.wasm" as="fetch">`},
		{`<link rel="preload" href="/static/gopkce.wasm">`, `<link rel="preload" href="/static/gopkce.wasm">`},
		// Not a preload, or not the module: unchanged.
		{`<link rel="stylesheet" href="/gopkce.wasm">`, `<link rel="stylesheet" href="/gopkce.wasm">`},
		{`<link rel="preload" href="/mygopkce.wasm"><p>gopkce.wasm</p>`, `<link rel="preload" href="/mygopkce.wasm"><p>gopkce.wasm</p>`},
		{`<script src="/gopkce.js"></script>`, `<script src="/gopkce.js"></script>`},
		// The loader's data-wasm.
		{`<script src="/gopkce.js" data-wasm="/gopkce.wasm"></script>`, `<script src="/gopkce.js" data-wasm="/gopkce.0123456789abcdef.wasm"></script>`},
		{`<script data-wasm="/gopkce.wasm" src="/gopkce.js"></script><p>data-wasm="/gopkce.wasm"</p>`, `<script data-wasm="/gopkce.0123456789abcdef.wasm" src="/gopkce.js"></script><p>data-wasm="/gopkce.wasm"</p>`},
		{`<script src="/gopkce.js" data-wasm="/cdn/gopkce.wasm"></script>`, `<script src="/gopkce.js" data-wasm="/cdn/gopkce.wasm"></script>`},
		{`<script src="/gopkce.js" xdata-wasm="/gopkce.wasm"></script>`, `<script src="/gopkce.js" xdata-wasm="/gopkce.wasm"></script>`},
		{"<script src=\"/gopkce.js\"\n  data-wasm=\"/gopkce.wasm\"></script>", "<script src=\"/gopkce.js\"\n  data-wasm=\"/gopkce.0123456789abcdef.wasm\"></script>"},
		{"<link rel=\"preload\"\thref=\"/gopkce.wasm\">", "<link rel=\"preload\"\thref=\"/gopkce.0123456789abcdef.wasm\">"},
		{`<link rel="preload" data-href="/gopkce.wasm" href="/x.wasm">`, `<link rel="preload" data-href="/gopkce.wasm" href="/x.wasm">`},
		{`<link rel="preload" href="/gopkce.wasm"><script src="/gopkce.js" data-wasm="/gopkce.wasm"></script>`, `<link rel="preload" href="/gopkce.0123456789abcdef.wasm"><script src="/gopkce.js" data-wasm="/gopkce.0123456789abcdef.wasm"></script>`},
	} {
		if got := string(Rewrite([]byte(tc.in), "/gopkce.wasm", "/"+name)); got != tc.want {
			t.Errorf("Rewrite(%s)\n got %s\nwant %s", tc.in, got, tc.want)
		}
	}
	in := []byte(`<link rel="preload" href="/gopkce.wasm"><link rel="stylesheet" href="/s.css"><link rel="preload" href="/gopkce.wasm">`)
	got := Rewrite(in, "/gopkce.wasm", "/"+name)
	if c := bytes.Count(got, []byte(name)); c != 2 {
		t.Errorf("two preload links, %d rewritten: %s", c, got)
	}
}

// web/gopkce.js recognises the module's preload link by the same names:
// its regular expression accepts gopkce.wasm and every name Name makes,
// and nothing Is refuses.
func TestLoaderRecognisesTheNames(t *testing.T) {
	js, err := os.ReadFile("../../../web/gopkce.js")
	if err != nil {
		t.Fatal(err)
	}
	lit := regexp.MustCompile(`/(\^gopkce[^/]*\$)/\.test\(file\)`).FindSubmatch(js)
	if lit == nil {
		t.Fatal("web/gopkce.js has no /^gopkce...$/.test(file) for the preload link")
	}
	re, err := regexp.Compile(string(lit[1]))
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{Module, Name([]byte("a")), Name([]byte("b"))} {
		if !re.MatchString(name) {
			t.Errorf("the loader's %s refuses %s", lit[1], name)
		}
	}
	for _, name := range []string{"gopkce.0123456789abcde.wasm", "gopkce.0123456789ABCDEF.wasm", "gopkce.0123456789abcdef.wasm.br", "xgopkce.wasm"} {
		if re.MatchString(name) {
			t.Errorf("the loader's %s accepts %s", lit[1], name)
		}
	}
}
