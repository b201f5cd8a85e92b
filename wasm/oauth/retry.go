package oauth

import "time"

// The retry policy of a refresh that failed transiently: no response, a
// timeout, HTTP 5xx or 429 (RFC 6585 §4). Nothing is deleted while
// retrying. A code exchange is never retried: a code is single use.
const (
	// refreshAttempts is how many times one refresh is sent at most.
	refreshAttempts = 3
	// retryBase is the wait after the first failure; it doubles each time.
	retryBase = 500 * time.Millisecond
	// maxRetryAfter caps a server's Retry-After (RFC 9110 §10.2.3,
	// read by [protocol.RetryAfter]).
	maxRetryAfter = 10 * time.Second
)

// retryDelay decides whether a refresh that failed transiently with e on
// the given attempt (1-based) is sent again, and after how long: exponential
// backoff from retryBase, or the server's Retry-After when longer, capped at
// maxRetryAfter.
func retryDelay(attempt int, e *Error) (time.Duration, bool) {
	if e.Code != CodeNetworkError || attempt >= refreshAttempts {
		return 0, false
	}
	d := retryBase << (attempt - 1)
	ra := time.Duration(min(e.RetryAfter, 1<<30)) * time.Second // no overflow
	if ra > d {
		d = min(ra, maxRetryAfter)
	}
	return d, true
}
