package build

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"
)

// The npm package (web/) ships the repository's license: npm takes
// LICENSE from the package's own directory, so web/LICENSE is a copy of
// the root's, and must stay one.
func TestPackageLicense(t *testing.T) {
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	want, err := os.ReadFile(filepath.Join(root, "LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(root, "web", "LICENSE"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(got, want) {
		t.Fatal("web/LICENSE differs from LICENSE: copy it (cp LICENSE web/LICENSE)")
	}
	if !bytes.Contains(want, []byte("MIT License")) {
		t.Fatal("LICENSE is not the MIT license that web/package.json declares")
	}
}
