// Package weburl parses and builds the URLs and query strings gopkce's
// WebAssembly module handles: configured endpoints, the redirect URI, the
// callback URL, API origins, and application/x-www-form-urlencoded bodies.
// It replaces net/url there, whose errors pull in fmt and reflect
// (about 130 KB of brotli-compressed module).
//
// It is stricter than net/url where gopkce never needs the leniency, and
// otherwise gives the same answers: whenever [Parse] accepts a URL,
// net/url accepts it too and yields the same scheme, host, port, path, raw
// query and fragment; [ParseQuery], [Values.Encode] and [QueryEscape] are
// byte-for-byte those of net/url. The fuzz tests check both against
// net/url.
//
// [Parse] refuses, where net/url accepts:
//   - anything but printable ASCII (control characters, spaces, bytes
//     >= 0x80): a browser serialises a URL without them (WHATWG URL §4.4),
//     so a URL holding them was never one a browser produced;
//   - a backslash before the query: browsers read it as "/" in http(s)
//     URLs where net/url does not, so host and path could differ;
//   - URLs without an authority ("https:host", "https:/path",
//     "https:///path") and an empty host;
//   - user information ("https://user@host"), reported as [ErrUserinfo];
//   - percent-encoding in the host, host characters other than letters,
//     digits, "-", ".", "_" and "~", IPv6 zones, and an empty port
//     ("https://host:/").
//
// It is platform-neutral: no syscall/js, and none of fmt, reflect,
// encoding/json or net/url.
package weburl
