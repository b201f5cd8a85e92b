// Package jsonv decodes and encodes JSON (RFC 8259) for gopkce's
// WebAssembly module, where encoding/json's reflection costs about 218 KB
// of brotli-compressed module. It is platform-neutral and uses no reflect,
// fmt, encoding/json or net/url.
//
// Decoding gives the same values as encoding/json decoding into an any
// with UseNumber, for every input both accept: objects are
// map[string]any, arrays []any, strings string, numbers [Number] (the
// literal text, so that large integers are never rounded), true and false
// bool, null nil. It accepts exactly what [encoding/json.Valid] accepts,
// one value with surrounding whitespace, and strings decode byte for byte
// as encoding/json decodes them: escapes, surrogate pairs, and U+FFFD for
// each byte of invalid UTF-8 and for each lone surrogate escape. It differs
// in two ways, both refusals:
//
//   - an object with a member name twice is refused with a
//     [*DuplicateError] (RFC 8259 §4 leaves it undefined; RFC 7515 §4 and
//     RFC 7519 §4 allow a JOSE parser to reject it, and rejecting leaves no
//     room for two parsers to read different values). [Decoder] with
//     AllowDuplicates keeps the last one, as encoding/json does;
//   - nesting deeper than [MaxDepth] is refused (encoding/json's limit is
//     10000).
//
// Members are looked up in the map by their exact, case-sensitive name:
// there is no case-insensitive matching of struct fields.
//
// Encoding ([Append], [AppendString], [Object]) writes what
// encoding/json's Encoder writes with SetEscapeHTML(false): the same
// string escapes (\b \f \n \r \t, \u00XX for other control characters,
// \u2028 and \u2029, \ufffd for each byte of invalid UTF-8), object keys
// of a map sorted, no insignificant whitespace. The fuzz tests check
// decoding and encoding against encoding/json.
package jsonv
