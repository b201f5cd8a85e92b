package protocol

import (
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"
)

func TestPlainText(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"", ""},
		{"Refresh Token has been revoked", "Refresh Token has been revoked"},
		{"  a \r\n\t b  ", "a b"},
		{"Code\x00 <b>expired</b>\x1b[31m now", "Code <b>expired</b>[31m now"},
		{"del\x7f and \ufffd gone", "del and gone"},
		{"left\u202eright\u2066x\u2069\u200e\u061c", "leftrightx"},
		{"\u00a0non-breaking\u2028line", "non-breaking line"},
	} {
		if got := PlainText(tc.in); got != tc.want {
			t.Errorf("PlainText(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

// Long text is cut at MaxTextBytes on a character boundary and ends in an
// ellipsis; cleaning twice changes nothing, so text cleaned by the token
// handler reaches JavaScript as the handler cleaned it.
func TestPlainTextCapAndIdempotence(t *testing.T) {
	for _, in := range []string{
		strings.Repeat("x", 2000),
		strings.Repeat("é", 2000),
		strings.Repeat("a \u202e\x00", 2000),
		strings.Repeat("x", MaxTextBytes-1) + "€€€",
		strings.Repeat("x", MaxTextBytes),
	} {
		got := PlainText(in)
		if !utf8.ValidString(got) || !strings.HasSuffix(got, "…") {
			t.Fatalf("%q...: %q...", in[:10], got[:10])
		}
		body := strings.TrimSuffix(got, "…")
		if len(body) < MaxTextBytes || len(body) >= MaxTextBytes+utf8.UTFMax {
			t.Errorf("%q...: %d bytes before the ellipsis, want %d up to one character more", in[:10], len(body), MaxTextBytes)
		}
		if again := PlainText(got); again != got {
			t.Errorf("cleaning twice changed %q... into %q...", got[:10], again[:10])
		}
	}
	if got := PlainText(strings.Repeat("x", MaxTextBytes-1)); strings.HasSuffix(got, "…") {
		t.Error("text under the cap was cut")
	}
}

func FuzzPlainText(f *testing.F) {
	f.Add("Code\x00 <b>expired</b>\u202e now")
	f.Fuzz(func(t *testing.T, s string) {
		got := PlainText(s)
		for _, r := range got {
			if unicode.IsControl(r) || unicode.Is(unicode.Bidi_Control, r) || r == unicode.ReplacementChar {
				t.Fatalf("%U kept in %q", r, got)
			}
		}
		if len(got) > MaxTextBytes+utf8.UTFMax+len("…") {
			t.Fatalf("%d bytes", len(got))
		}
		if PlainText(got) != got {
			t.Fatalf("not idempotent on %q", s)
		}
	})
}
