// Package protocol holds what the client core (wasm/oauth) and the server
// parts (wasm/server/...) share, written once, one concept a file: the
// token handler's request header, paths and response member (handler.go),
// the error codes and the test for a well-formed one ([Code], codes.go),
// the cleaning of provider text ([PlainText]), the reading of Retry-After
// ([RetryAfter]) and of an HTTP-date ([ParseHTTPDate], httpdate.go), the
// loopback-host test ([IsLoopback]) and how an error reads ([ErrorText]).
//
// The browser program links it through the core, so it is platform-neutral
// and small: no syscall/js, and none of fmt, net/url, net/netip,
// encoding/json, reflect, os or net/http (it parses hosts with
// wasm/internal/weburl).
package protocol
