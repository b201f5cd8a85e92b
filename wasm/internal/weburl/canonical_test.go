package weburl

import "testing"

// Origins as the browser's URL parser serialises them (the expected values
// are what Chromium's new URL(...).origin gives).
func TestCanonicalOrigin(t *testing.T) {
	for in, want := range map[string]string{
		"http://[0:0:0:0:0:0:0:1]/cb":     "http://[::1]",
		"http://[::ffff:127.0.0.1]/":      "http://[::ffff:7f00:1]",
		"https://[2001:DB8:0:0:1:0:0:1]/": "https://[2001:db8::1:0:0:1]",
		"https://app.example.com:0443/x":  "https://app.example.com",
		"http://localhost:080/":           "http://localhost",
		"http://localhost:08080/":         "http://localhost:8080",
		"http://127.1/":                   "http://127.0.0.1",
		"http://0x7f.0.0.1:3000/":         "http://127.0.0.1:3000",
		"http://0177.0.0.01/":             "http://127.0.0.1",
		"http://2130706433/":              "http://127.0.0.1",
		"http://127.0.0.1./":              "http://127.0.0.1",
		"HTTPS://App.Example.COM":         "https://app.example.com",
		"https://api.example.com:8443":    "https://api.example.com:8443",
		"http://1.2.3.example/":           "http://1.2.3.example",
	} {
		u, err := Parse(in)
		if err != nil {
			t.Fatalf("%s: %v", in, err)
		}
		if got, err := u.CanonicalOrigin(); err != nil || got != want {
			t.Errorf("%s: %q, %v; want %q", in, got, err, want)
		}
	}
	for _, in := range []string{"http://127.0.0.256/", "http://1.2.3.4.5/", "http://0x100.1.1.1/", "https://a.example:65536/", "http://09.0.0.1/"} {
		u, err := Parse(in)
		if err != nil {
			continue
		}
		if got, err := u.CanonicalOrigin(); err == nil {
			t.Errorf("%s: %q, want a failure as in the browser", in, got)
		}
	}
}
