package main

import (
	"io"
	"testing"
)

// The README's one command, go run ./cmd/serve -web DIR, serves the page
// and the development provider at the addresses the snippets name: the
// provider's default address is the snippets' issuer, and the site's is
// the page the README tells the reader to open.
func TestSnippetAddresses(t *testing.T) {
	o, err := parseFlags([]string{"-web", "DIR"}, io.Discard)
	if err != nil {
		t.Fatal(err)
	}
	if "http://"+o.idpAddr != devIssuer {
		t.Fatalf("-idp-addr defaults to %s; the snippets name %s", o.idpAddr, devIssuer)
	}
	if o.addr != "127.0.0.1:8080" {
		t.Fatalf("-addr defaults to %s; the README opens http://127.0.0.1:8080/", o.addr)
	}
}
