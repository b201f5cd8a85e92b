package jsonv

import (
	"errors"
	"slices"
	"strconv"
	"unicode/utf8"
)

// ErrUnsupported: [Append] was given a value of a type it does not encode,
// or a [Number] that is not a JSON number.
var ErrUnsupported = errors.New("jsonv: value cannot be encoded")

const hexDigits = "0123456789abcdef"

// AppendString appends s as a JSON string, byte for byte as encoding/json
// writes it with SetEscapeHTML(false): '"' and '\' escaped, \b \f \n \r \t
// for those control characters and \u00XX (lowercase hex) for the others,
// \u2028 and \u2029 escaped (JSONP and older JavaScript engines read them
// as line ends), \ufffd for each byte that is not part of valid UTF-8, and
// everything else, "<", ">", "&" and DEL included, as is.
func AppendString(dst []byte, s string) []byte {
	dst = append(dst, '"')
	start := 0
	for i := 0; i < len(s); {
		c := s[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 && c != '"' && c != '\\' {
				i++
				continue
			}
			dst = append(dst, s[start:i]...)
			switch c {
			case '"', '\\':
				dst = append(dst, '\\', c)
			case '\b':
				dst = append(dst, '\\', 'b')
			case '\f':
				dst = append(dst, '\\', 'f')
			case '\n':
				dst = append(dst, '\\', 'n')
			case '\r':
				dst = append(dst, '\\', 'r')
			case '\t':
				dst = append(dst, '\\', 't')
			default:
				dst = append(dst, '\\', 'u', '0', '0', hexDigits[c>>4], hexDigits[c&0xF])
			}
			i++
			start = i
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			dst = append(dst, s[start:i]...)
			dst = append(dst, `\ufffd`...)
		case r == '\u2028' || r == '\u2029':
			dst = append(dst, s[start:i]...)
			dst = append(dst, '\\', 'u', '2', '0', '2', hexDigits[r&0xF])
		default:
			i += size
			continue
		}
		i += size
		start = i
	}
	dst = append(dst, s[start:]...)
	return append(dst, '"')
}

// Append appends the JSON encoding of v, as encoding/json's Encoder with
// SetEscapeHTML(false) writes it without its trailing newline: nil, bool,
// string, Number (its literal; "" as 0), int, int64, []any, []string,
// map[string]any and map[string]string (keys sorted), which covers every
// value [Decode] returns. Any other type, or a Number that is not a JSON
// number, is ErrUnsupported.
func Append(dst []byte, v any) ([]byte, error) {
	return appendValue(dst, v, 0)
}

// Marshal is Append to a new slice.
func Marshal(v any) ([]byte, error) { return Append(nil, v) }

func appendValue(dst []byte, v any, depth int) ([]byte, error) {
	if depth > MaxDepth {
		return dst, ErrUnsupported
	}
	var err error
	switch v := v.(type) {
	case nil:
		return append(dst, "null"...), nil
	case bool:
		return strconv.AppendBool(dst, v), nil
	case string:
		return AppendString(dst, v), nil
	case Number:
		if v == "" {
			return append(dst, '0'), nil
		}
		if !validNumber(string(v)) {
			return dst, ErrUnsupported
		}
		return append(dst, v...), nil
	case int:
		return strconv.AppendInt(dst, int64(v), 10), nil
	case int64:
		return strconv.AppendInt(dst, v, 10), nil
	case []string:
		if v == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(dst, e)
		}
		return append(dst, ']'), nil
	case []any:
		if v == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '[')
		for i, e := range v {
			if i > 0 {
				dst = append(dst, ',')
			}
			if dst, err = appendValue(dst, e, depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, ']'), nil
	case map[string]any:
		if v == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '{')
		for i, k := range sortedKeys(v) {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = append(AppendString(dst, k), ':')
			if dst, err = appendValue(dst, v[k], depth+1); err != nil {
				return dst, err
			}
		}
		return append(dst, '}'), nil
	case map[string]string:
		if v == nil {
			return append(dst, "null"...), nil
		}
		dst = append(dst, '{')
		for i, k := range sortedKeys(v) {
			if i > 0 {
				dst = append(dst, ',')
			}
			dst = AppendString(append(AppendString(dst, k), ':'), v[k])
		}
		return append(dst, '}'), nil
	}
	return dst, ErrUnsupported
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	return keys
}

// Object writes a JSON object member by member, in the order given, as
// encoding/json writes a struct: the stored records (token set, login
// state, cached documents) are written with it.
type Object struct {
	b []byte
}

// member starts the member name.
func (o *Object) member(name string) {
	if len(o.b) == 0 {
		o.b = append(o.b, '{')
	} else {
		o.b = append(o.b, ',')
	}
	o.b = append(AppendString(o.b, name), ':')
}

// String adds a string member.
func (o *Object) String(name, v string) {
	o.member(name)
	o.b = AppendString(o.b, v)
}

// Int adds an integer member.
func (o *Object) Int(name string, v int64) {
	o.member(name)
	o.b = strconv.AppendInt(o.b, v, 10)
}

// Bool adds a boolean member.
func (o *Object) Bool(name string, v bool) {
	o.member(name)
	o.b = strconv.AppendBool(o.b, v)
}

// Raw adds a member whose value is raw, which must be one valid JSON value
// (one that [Decode] accepted): it is written as it is.
func (o *Object) Raw(name string, raw []byte) {
	o.member(name)
	o.b = append(o.b, raw...)
}

// Bytes ends the object and returns it; "{}" for an object without members.
func (o *Object) Bytes() []byte {
	if len(o.b) == 0 {
		return []byte("{}")
	}
	return append(o.b, '}')
}
