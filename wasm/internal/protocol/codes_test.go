package protocol

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"testing"
)

// codesByBlock reads codes.go: the values of the Code constants of each
// const block, in order (registered, the core's, the handler's).
func codesByBlock(t *testing.T) [][]Code {
	t.Helper()
	f, err := parser.ParseFile(token.NewFileSet(), "codes.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	var blocks [][]Code
	for _, d := range f.Decls {
		g, ok := d.(*ast.GenDecl)
		if !ok || g.Tok != token.CONST {
			continue
		}
		var codes []Code
		for _, s := range g.Specs {
			vs := s.(*ast.ValueSpec)
			for _, v := range vs.Values {
				lit, ok := v.(*ast.BasicLit)
				if !ok {
					t.Fatalf("a code that is not a literal: %#v", v)
				}
				c, _ := strconv.Unquote(lit.Value)
				codes = append(codes, Code(c))
			}
		}
		blocks = append(blocks, codes)
	}
	if len(blocks) != 3 {
		t.Fatalf("codes.go has %d const blocks, want 3 (registered, core, handler)", len(blocks))
	}
	return blocks
}

// Registered holds exactly the first block; no code is declared twice;
// gopkce's own codes are not registered ones, so that a provider's code
// never passes for one of gopkce's (the core and the handler reuse a
// registered code only where it means the same thing, and then name the
// registered constant).
func TestCodesRegisteredAndOwnApart(t *testing.T) {
	blocks := codesByBlock(t)
	seen := map[Code]bool{}
	for i, block := range blocks {
		for _, c := range block {
			if seen[c] {
				t.Errorf("%q is declared twice", c)
			}
			seen[c] = true
			if c.Registered() != (i == 0) {
				t.Errorf("%q: Registered() = %v, declared in block %d", c, c.Registered(), i)
			}
			if !c.WellFormed() {
				t.Errorf("gopkce's own %q is not well formed", c)
			}
		}
	}
	if len(blocks[0]) != 22 {
		t.Errorf("%d registered codes, want the 22 of RFC 6749, RFC 7009, OpenID Connect Core and RFC 9449", len(blocks[0]))
	}
	for _, c := range []Code{"", "Invalid_Grant", "x-unknown", "network_errors"} {
		if c.Registered() {
			t.Errorf("%q is registered", c)
		}
	}
}

func TestCodeWellFormed(t *testing.T) {
	for _, tc := range []struct {
		code Code
		want bool
	}{
		{"invalid_grant", true},
		{"aadb2c90080", true},
		{"urn.example-1", true},
		{"a", true},
		{"x234567890123456789012345678901234567890123456789012345678901234", true},
		{"x2345678901234567890123456789012345678901234567890123456789012345", false},
		{"", false},
		{"Not A Code!", false},
		{"<script>", false},
		{"invalid grant", false},
		{"Invalid_Grant", false},
		{"invalid_grant\n", false},
		{"é", false},
	} {
		if got := tc.code.WellFormed(); got != tc.want {
			t.Errorf("%q (%d bytes): WellFormed() = %v, want %v", tc.code, len(tc.code), got, tc.want)
		}
	}
}
