package gate

import "testing"

func TestCheckPrefix(t *testing.T) {
	for p, ok := range map[string]bool{"/oauth": true, "/bff": true, "/a/b": true, "": false, "oauth": false, "/oauth/": false, "/": false} {
		if err := CheckPrefix(p); (err == nil) != ok {
			t.Errorf("CheckPrefix(%q) = %v, want ok=%v", p, err, ok)
		}
	}
}
