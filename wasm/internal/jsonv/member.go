package jsonv

// Reading members of a decoded object with encoding/json's rules for a
// struct field, but by the exact, case-sensitive name: an absent member
// and null give the zero value, a value of another type is not ok.

// StringMember returns o[name] as a string: "" when absent or null.
func StringMember(o map[string]any, name string) (string, bool) {
	switch v := o[name].(type) {
	case nil:
		return "", true
	case string:
		return v, true
	}
	return "", false
}

// BoolMember returns o[name] as a bool: false when absent or null.
func BoolMember(o map[string]any, name string) (bool, bool) {
	switch v := o[name].(type) {
	case nil:
		return false, true
	case bool:
		return v, true
	}
	return false, false
}

// Int64Member returns o[name] as an int64: 0 when absent or null; a
// number with a fraction or an exponent, or outside int64, is not ok
// (strconv.ParseInt, as encoding/json decodes into an int64).
func Int64Member(o map[string]any, name string) (int64, bool) {
	switch v := o[name].(type) {
	case nil:
		return 0, true
	case Number:
		n, err := v.Int64()
		return n, err == nil
	}
	return 0, false
}

// Strings returns v as a []string: nil for null, a null element as "", and
// not ok for anything but an array of strings and nulls.
func Strings(v any) ([]string, bool) {
	switch v := v.(type) {
	case nil:
		return nil, true
	case []any:
		out := make([]string, len(v))
		for i, e := range v {
			switch e := e.(type) {
			case nil:
			case string:
				out[i] = e
			default:
				return nil, false
			}
		}
		return out, true
	}
	return nil, false
}

// Fields reads the members of an object as encoding/json fills a struct,
// by exact name, and remembers the first member of the wrong type:
//
//	f := jsonv.Fields{Object: o}
//	m.Issuer = f.String("issuer")
//	m.Methods = f.Strings("code_challenge_methods_supported")
//	if f.Bad != "" { ... }
type Fields struct {
	Object map[string]any
	// Bad is the name of the first member read that had the wrong type.
	Bad string
}

func (f *Fields) bad(name string, ok bool) {
	if !ok && f.Bad == "" {
		f.Bad = name
	}
}

// String is [StringMember].
func (f *Fields) String(name string) string {
	v, ok := StringMember(f.Object, name)
	f.bad(name, ok)
	return v
}

// Bool is [BoolMember].
func (f *Fields) Bool(name string) bool {
	v, ok := BoolMember(f.Object, name)
	f.bad(name, ok)
	return v
}

// Int64 is [Int64Member].
func (f *Fields) Int64(name string) int64 {
	v, ok := Int64Member(f.Object, name)
	f.bad(name, ok)
	return v
}

// Strings is [Strings] of the member.
func (f *Fields) Strings(name string) []string {
	v, ok := Strings(f.Object[name])
	f.bad(name, ok)
	return v
}
