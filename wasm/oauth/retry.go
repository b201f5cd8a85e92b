package oauth

import (
	"strconv"
	"strings"
	"time"
)

// The retry policy of a refresh that failed transiently: no response, a
// timeout, HTTP 5xx or 429 (RFC 6585 §4). Nothing is deleted while
// retrying. A code exchange is never retried: a code is single use.
const (
	// refreshAttempts is how many times one refresh is sent at most.
	refreshAttempts = 3
	// retryBase is the wait after the first failure; it doubles each time.
	retryBase = 500 * time.Millisecond
	// maxRetryAfter caps a server's Retry-After (RFC 9110 §10.2.3).
	maxRetryAfter = 10 * time.Second
)

// retryDelay decides whether a refresh that failed transiently with e on
// the given attempt (1-based) is sent again, and after how long: exponential
// backoff from retryBase, or the server's Retry-After when longer, capped at
// maxRetryAfter. A Retry-After date counts from now; one in the past is
// no wait.
func retryDelay(attempt int, e *Error, now time.Time) (time.Duration, bool) {
	if e.Code != CodeNetworkError || attempt >= refreshAttempts {
		return 0, false
	}
	d := retryBase << (attempt - 1)
	ra := time.Duration(min(e.RetryAfter, 1<<30)) * time.Second // no overflow
	if !e.retryAt.IsZero() {
		ra = e.retryAt.Sub(now)
	}
	if ra > d {
		d = min(ra, maxRetryAfter)
	}
	return d, true
}

// httpDateLayouts are the forms of an HTTP-date (RFC 9110 §5.6.7):
// IMF-fixdate, and the obsolete RFC 850 and asctime forms a recipient
// must also accept.
var httpDateLayouts = [...]string{
	"Mon, 02 Jan 2006 15:04:05 GMT",
	"Monday, 02-Jan-06 15:04:05 GMT",
	"Mon Jan _2 15:04:05 2006",
}

// parseRetryAfter reads a Retry-After value (RFC 9110 §10.2.3): a number
// of seconds, or an HTTP-date, returned as the moment it names. Anything
// else, and a delay that is not positive, is ignored (zero values).
func parseRetryAfter(v string) (seconds int, at time.Time) {
	v = strings.TrimSpace(v)
	if n, err := strconv.Atoi(v); err == nil {
		return max(n, 0), time.Time{}
	}
	for _, layout := range httpDateLayouts {
		if t, err := time.Parse(layout, v); err == nil {
			return 0, t
		}
	}
	return 0, time.Time{}
}
