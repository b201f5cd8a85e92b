package jsonv

import "strconv"

// Number is a JSON number's literal text, as in encoding/json's Number.
type Number string

// String returns the literal text.
func (n Number) String() string { return string(n) }

// MarshalJSON writes the number as encoding/json writes a json.Number, so
// that a native program that encodes decoded claims with encoding/json
// gets numbers, not strings: its literal text, 0 for "", an error for
// text that is not a JSON number.
func (n Number) MarshalJSON() ([]byte, error) {
	if n == "" {
		return []byte("0"), nil
	}
	if !validNumber(string(n)) {
		return nil, ErrUnsupported
	}
	return []byte(n), nil
}

// Int64 is strconv.ParseInt(n, 10, 64): an error for fractions,
// exponents and values outside int64.
func (n Number) Int64() (int64, error) { return strconv.ParseInt(string(n), 10, 64) }

// Float64 is strconv.ParseFloat(n, 64): the nearest float64, with an error
// (and ±Inf) for values outside its range.
func (n Number) Float64() (float64, error) { return strconv.ParseFloat(string(n), 64) }

// scanNumber returns the length of the JSON number (RFC 8259 §6) at the
// start of s, or 0 when s does not start with one.
func scanNumber[T []byte | string](s T) int {
	i := 0
	if i < len(s) && s[i] == '-' {
		i++
	}
	switch {
	case i < len(s) && s[i] == '0':
		i++
	case i < len(s) && s[i] >= '1' && s[i] <= '9':
		for i++; i < len(s) && isDigit(s[i]); i++ {
		}
	default:
		return 0
	}
	if i < len(s) && s[i] == '.' {
		i++
		if i >= len(s) || !isDigit(s[i]) {
			return 0
		}
		for i++; i < len(s) && isDigit(s[i]); i++ {
		}
	}
	if i < len(s) && (s[i] == 'e' || s[i] == 'E') {
		i++
		if i < len(s) && (s[i] == '+' || s[i] == '-') {
			i++
		}
		if i >= len(s) || !isDigit(s[i]) {
			return 0
		}
		for i++; i < len(s) && isDigit(s[i]); i++ {
		}
	}
	return i
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }

// validNumber reports whether s is exactly one JSON number.
func validNumber(s string) bool { return s != "" && scanNumber(s) == len(s) }
