// Package gate is what the server parts (the token handler and the backend
// for frontend) check before they serve the page: their configured
// endpoints and origin, each request's same-origin proof (CSRF), and how
// they answer a refusal (RFC 6749 §5.2). Both import it, so the rules
// cannot drift apart.
package gate
