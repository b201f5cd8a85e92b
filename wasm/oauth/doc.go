// Package oauth is the platform-neutral core of gopkce: the OAuth 2.0
// authorization-code flow with PKCE for a public client (RFC 6749 §4.1,
// RFC 7636), as a browser single-page app runs it.
//
// The package has no syscall/js, no build tags and no net/http, so it is
// linked into the WebAssembly module as it is and tested natively with
// go test -race. Everything that differs between the browser and a native
// program is injected through small interfaces: [Transport] for HTTP,
// [Storage] for sessionStorage and IndexedDB, [Locker] for Web Locks, a clock
// and a random source.
//
// A login goes through three calls:
//
//   - [Client.StartLogin] makes a fresh PKCE verifier, state and nonce, keeps
//     them in the login storage keyed by state and returns the authorization
//     URL to redirect to (RFC 6749 §4.1.1, RFC 7636 §4.3).
//   - [Client.HandleCallback] validates the redirect back (RFC 6749 §4.1.2,
//     RFC 9207) and exchanges the code once (RFC 6749 §4.1.3).
//   - [Client.Token] returns a valid access token, refreshing it when it is
//     near expiry, one refresh at a time (RFC 6749 §6, RFC 9700 §4.14).
//
// Every failure is an [*Error] with a stable Code.
package oauth
