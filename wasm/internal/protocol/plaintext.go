package protocol

import (
	"strings"
	"unicode"
)

// MaxTextBytes caps provider text after cleaning: 500 bytes keeps a whole
// error_description of the providers gopkce knows (Entra ID's carry a
// trace and a correlation id after the message) and bounds what a
// provider can put into a page or a log line.
const MaxTextBytes = 500

// PlainText makes provider text (an error_description, an iss, a code the
// user may see) safe to show and to log as text: control characters, the
// Unicode replacement character and the bidirectional controls (which
// could make the text read differently, Unicode TR #9) are dropped, runs
// of white space become one space and leading and trailing space goes.
// Text that reaches [MaxTextBytes] is cut there, at a character boundary,
// and ends in "…". PlainText does not escape HTML: the text must be
// inserted with textContent, never innerHTML. PlainText(PlainText(s)) is
// PlainText(s), so text cleaned by the token handler and again by the
// core stays the same.
func PlainText(s string) string {
	var b strings.Builder
	space := false
	for _, r := range s {
		if unicode.IsSpace(r) {
			space = b.Len() > 0
			continue
		}
		if unicode.IsControl(r) || r == unicode.ReplacementChar || unicode.Is(unicode.Bidi_Control, r) {
			continue
		}
		if space {
			b.WriteByte(' ')
			space = false
		}
		b.WriteRune(r)
		if b.Len() >= MaxTextBytes {
			b.WriteString("…")
			break
		}
	}
	return b.String()
}
