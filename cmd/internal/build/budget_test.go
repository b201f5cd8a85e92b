package build

import (
	"os"
	"os/exec"
	"testing"
)

// BrotliBudget is the most the module may weigh brotli-compressed, in
// bytes. The module weighs about 690,000 today; bringing back a heavy
// dependency, such as encoding/json and net/url with fmt, os and reflect
// behind them (wasm/internal/jsonv and wasm/internal/weburl stand in for
// them), takes it over the budget.
const BrotliBudget = 700_000

// The module's brotli size is deterministic for a toolchain: a test holds
// it to the budget. It builds the module when it is stale.
func TestBrotliSizeBudget(t *testing.T) {
	if testing.Short() {
		t.Skip("builds the module")
	}
	root, err := ModuleRoot(".")
	if err != nil {
		t.Fatal(err)
	}
	if stale, err := Stale(root); err != nil {
		t.Fatal(err)
	} else if stale {
		// Built by a separate, uninstrumented process: brotli at quality 11
		// under the race detector takes minutes.
		cmd := exec.Command("go", "run", "./cmd/serve", "-build")
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			t.Fatalf("go run ./cmd/serve -build: %v\n%s", err, out)
		}
	}
	br, err := os.Stat(Wasm(root) + ".br")
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := os.Stat(Wasm(root))
	gz, _ := os.Stat(Wasm(root) + ".gz")
	t.Logf("gopkce.wasm %d bytes raw, %d gzip, %d brotli (budget %d)", raw.Size(), gz.Size(), br.Size(), BrotliBudget)
	if br.Size() > BrotliBudget {
		t.Fatalf("gopkce.wasm is %d bytes brotli, over the budget of %d: check what `GOOS=js GOARCH=wasm go list -deps ./wasm/browser` links", br.Size(), BrotliBudget)
	}
}
