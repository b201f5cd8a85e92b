package jsonv

import (
	"strconv"
	"unicode/utf8"
)

// MaxDepth is how deeply arrays and objects may nest. gopkce's documents
// (token responses, JWT headers and claims, key sets, discovery) nest a
// few levels; the limit keeps a hostile document from costing stack.
const MaxDepth = 1000

// SyntaxError: the input is not one JSON value, or nests deeper than
// MaxDepth. Offset is the byte offset where it went wrong.
type SyntaxError struct {
	Msg    string
	Offset int
}

func (e *SyntaxError) Error() string {
	return "jsonv: " + e.Msg + " at offset " + strconv.Itoa(e.Offset)
}

// DuplicateError: an object has the member Name more than once.
type DuplicateError struct{ Name string }

func (e *DuplicateError) Error() string {
	return "jsonv: the member " + strconv.Quote(e.Name) + " appears more than once in an object"
}

// Decoder decodes with options; its zero value is what [Decode] uses.
type Decoder struct {
	// AllowDuplicates keeps the last of an object's members with the same
	// name, as encoding/json and JavaScript's JSON.parse do, instead of
	// refusing the input.
	AllowDuplicates bool
}

// Decode decodes exactly one JSON value from data, with whitespace around
// it only. An object with a member name twice is refused.
func Decode(data []byte) (any, error) { return Decoder{}.Decode(data) }

// DecodeObject decodes data as exactly one JSON object.
func DecodeObject(data []byte) (map[string]any, error) {
	v, err := Decode(data)
	if err != nil {
		return nil, err
	}
	o, ok := v.(map[string]any)
	if !ok {
		return nil, &SyntaxError{Msg: "not a JSON object", Offset: 0}
	}
	return o, nil
}

// Decode decodes exactly one JSON value from data (see [Decode]).
func (d Decoder) Decode(data []byte) (any, error) {
	s := scanner{data: data, allowDup: d.AllowDuplicates}
	v, err := s.value(0)
	if err != nil {
		return nil, err
	}
	s.skipSpace()
	if s.i != len(data) {
		return nil, s.fail("data after the JSON value")
	}
	return v, nil
}

type scanner struct {
	data     []byte
	i        int
	allowDup bool
}

func (s *scanner) fail(msg string) error { return &SyntaxError{Msg: msg, Offset: s.i} }

// skipSpace skips the four whitespace bytes of RFC 8259 §2.
func (s *scanner) skipSpace() {
	for s.i < len(s.data) {
		switch s.data[s.i] {
		case ' ', '\t', '\n', '\r':
			s.i++
		default:
			return
		}
	}
}

func (s *scanner) value(depth int) (any, error) {
	s.skipSpace()
	if s.i >= len(s.data) {
		return nil, s.fail("unexpected end of JSON input")
	}
	switch c := s.data[s.i]; c {
	case '{':
		if depth >= MaxDepth {
			return nil, s.fail("nesting deeper than jsonv.MaxDepth")
		}
		return s.object(depth + 1)
	case '[':
		if depth >= MaxDepth {
			return nil, s.fail("nesting deeper than jsonv.MaxDepth")
		}
		return s.array(depth + 1)
	case '"':
		return s.str()
	case 't':
		return true, s.literal("true")
	case 'f':
		return false, s.literal("false")
	case 'n':
		return nil, s.literal("null")
	default:
		n := scanNumber(s.data[s.i:])
		if n == 0 {
			return nil, s.fail("invalid character " + strconv.QuoteRune(rune(c)) + " looking for a value")
		}
		v := Number(s.data[s.i : s.i+n])
		s.i += n
		return v, nil
	}
}

func (s *scanner) literal(word string) error {
	if len(s.data)-s.i < len(word) || string(s.data[s.i:s.i+len(word)]) != word {
		return s.fail("invalid literal")
	}
	s.i += len(word)
	return nil
}

func (s *scanner) object(depth int) (any, error) {
	s.i++ // '{'
	m := map[string]any{}
	s.skipSpace()
	if s.i < len(s.data) && s.data[s.i] == '}' {
		s.i++
		return m, nil
	}
	for {
		s.skipSpace()
		if s.i >= len(s.data) || s.data[s.i] != '"' {
			return nil, s.fail("expected a member name")
		}
		name, err := s.str()
		if err != nil {
			return nil, err
		}
		s.skipSpace()
		if s.i >= len(s.data) || s.data[s.i] != ':' {
			return nil, s.fail("expected ':' after a member name")
		}
		s.i++
		v, err := s.value(depth)
		if err != nil {
			return nil, err
		}
		if _, dup := m[name]; dup && !s.allowDup {
			return nil, &DuplicateError{Name: name}
		}
		m[name] = v
		s.skipSpace()
		if s.i >= len(s.data) {
			return nil, s.fail("unexpected end of JSON input")
		}
		switch s.data[s.i] {
		case ',':
			s.i++
		case '}':
			s.i++
			return m, nil
		default:
			return nil, s.fail("expected ',' or '}' after an object member")
		}
	}
}

func (s *scanner) array(depth int) (any, error) {
	s.i++ // '['
	a := []any{}
	s.skipSpace()
	if s.i < len(s.data) && s.data[s.i] == ']' {
		s.i++
		return a, nil
	}
	for {
		v, err := s.value(depth)
		if err != nil {
			return nil, err
		}
		a = append(a, v)
		s.skipSpace()
		if s.i >= len(s.data) {
			return nil, s.fail("unexpected end of JSON input")
		}
		switch s.data[s.i] {
		case ',':
			s.i++
		case ']':
			s.i++
			return a, nil
		default:
			return nil, s.fail("expected ',' or ']' after an array element")
		}
	}
}

// str decodes the string at s.i (which is '"') as encoding/json does:
// escapes (RFC 8259 §7), UTF-16 surrogate pairs joined, and U+FFFD for a
// lone or mismatched surrogate escape and for each byte that is not part
// of valid UTF-8.
func (s *scanner) str() (string, error) {
	start := s.i + 1
	i := start
	for i < len(s.data) {
		c := s.data[i]
		if c == '"' {
			s.i = i + 1
			return string(s.data[start:i]), nil
		}
		if c == '\\' || c < 0x20 {
			break
		}
		if c < utf8.RuneSelf {
			i++
			continue
		}
		r, size := utf8.DecodeRune(s.data[i:])
		if r == utf8.RuneError && size == 1 {
			break
		}
		i += size
	}
	b := make([]byte, 0, i-start+16)
	b = append(b, s.data[start:i]...)
	for i < len(s.data) {
		c := s.data[i]
		switch {
		case c == '"':
			s.i = i + 1
			return string(b), nil
		case c < 0x20:
			s.i = i
			return "", s.fail("control character in a string")
		case c == '\\':
			if i+1 >= len(s.data) {
				s.i = i
				return "", s.fail("unexpected end of JSON input")
			}
			switch e := s.data[i+1]; e {
			case '"', '\\', '/':
				b = append(b, e)
			case 'b':
				b = append(b, '\b')
			case 'f':
				b = append(b, '\f')
			case 'n':
				b = append(b, '\n')
			case 'r':
				b = append(b, '\r')
			case 't':
				b = append(b, '\t')
			case 'u':
				r := hex4(s.data[i:])
				if r < 0 {
					s.i = i
					return "", s.fail("invalid \\u escape in a string")
				}
				i += 6
				if r >= 0xD800 && r < 0xE000 {
					// A surrogate: joined with a low surrogate escape
					// right after a high one, U+FFFD otherwise (the next
					// escape is then read on its own).
					if r2 := hex4(s.data[i:]); r < 0xDC00 && r2 >= 0xDC00 && r2 < 0xE000 {
						r = 0x10000 + (r-0xD800)<<10 + (r2 - 0xDC00)
						i += 6
					} else {
						r = utf8.RuneError
					}
				}
				b = utf8.AppendRune(b, r)
				continue
			default:
				s.i = i
				return "", s.fail("invalid escape in a string")
			}
			i += 2
		case c < utf8.RuneSelf:
			b = append(b, c)
			i++
		default:
			r, size := utf8.DecodeRune(s.data[i:])
			b = utf8.AppendRune(b, r) // RuneError for a byte of invalid UTF-8
			i += size
		}
	}
	s.i = i
	return "", s.fail("unexpected end of JSON input")
}

// hex4 reads the \uXXXX escape at the start of p, or returns -1.
func hex4(p []byte) rune {
	if len(p) < 6 || p[0] != '\\' || p[1] != 'u' {
		return -1
	}
	var r rune
	for _, c := range p[2:6] {
		switch {
		case c >= '0' && c <= '9':
			c -= '0'
		case c >= 'a' && c <= 'f':
			c = c - 'a' + 10
		case c >= 'A' && c <= 'F':
			c = c - 'A' + 10
		default:
			return -1
		}
		r = r<<4 | rune(c)
	}
	return r
}
