#!/usr/bin/env bash
# gopkce build and test.
#
#   ./build.sh        build web/gopkce.wasm with its .br and .gz, refresh
#                     wasm_exec.js from the Go toolchain, print the sizes
#   ./build.sh test   build, then run every test: vet, gofmt, the native
#                     tests with -race (the end-to-end suite in headless
#                     Chromium included), the binding under Node, and the
#                     fuzz targets briefly
#   ./build.sh bench  build, then run the benchmarks (web/doc/figures.md)
set -euo pipefail
cd "$(dirname "$0")"

# phase NAME: ends the phase under way, printing how long it took, and
# starts NAME; the total so far is printed with each.
started=$SECONDS
phase_name=""
phase_start=$SECONDS
phase() {
	local now=$SECONDS
	if [ -n "$phase_name" ]; then
		echo "   $phase_name: $((now - phase_start)) s (total $((now - started)) s)"
	fi
	phase_name="$1"
	phase_start=$now
	if [ -n "$1" ]; then echo "== $1"; fi
}

goroot=$(go env GOROOT)
phase "build the module"
echo "   (the first run also builds Go's standard library for js/wasm: about 2 minutes)"
cp "$goroot/lib/wasm/wasm_exec.js" wasm_exec.js
# Prints the three sizes; also writes web/wasm_exec.js.
go run ./cmd/serve -build

find_chromium() {
	if [ -n "${GOPKCE_CHROME:-}" ]; then echo "$GOPKCE_CHROME"; return; fi
	for c in chromium chromium-browser google-chrome; do
		if command -v "$c" >/dev/null 2>&1; then command -v "$c"; return; fi
	done
}

ensure_chromium() {
	if [ -n "$(find_chromium)" ]; then return; fi
	if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
		echo "Chromium not found: installing Debian's chromium..."
		apt-get update -qq
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
	fi
	if [ -z "$(find_chromium)" ]; then
		echo "build.sh: the end-to-end tests need Chromium. Install it (Debian: apt-get install chromium)" >&2
		echo "          or set GOPKCE_CHROME to a Chrome or Chromium binary." >&2
		exit 1
	fi
}

case "${1:-}" in
"")
	;;
test)
	ensure_chromium
	export CI="${CI:-1}" # browser tests fail, never skip, when Chromium is missing
	phase "gofmt and vet"
	unformatted=$(gofmt -l $(git ls-files '*.go' 2>/dev/null || find . -name '*.go'))
	if [ -n "$unformatted" ]; then echo "gofmt would change: $unformatted" >&2; exit 1; fi
	go vet ./...
	GOOS=js GOARCH=wasm go vet ./wasm/... ./cmd/edge
	phase "native tests (-race)"
	echo "   one line per package as it finishes; cmd/serve, the end-to-end suite in headless Chromium, is the longest:"
	echo "   the README's snippets, TypeScript checks and npm pack + Vite and webpack (installed from npm on first run),"
	echo "   the worker under wrangler dev (cmd/edge; wrangler installed with npm ci on first run)"
	go test -race -count=1 ./...
	phase "the binding under Node (go_js_wasm_exec)"
	GOOS=js GOARCH=wasm go test -count=1 -exec="$goroot/lib/wasm/go_js_wasm_exec" ./wasm/browser
	# Count-based budgets: a duration -fuzztime can fail spuriously with
	# "context deadline exceeded" in Go 1.26 (golang/go#75804, fixed in 1.27).
	phase "fuzz targets, briefly"
	go test -run='^$' -fuzz='^FuzzHandleCallback$' -fuzztime=40000x ./wasm/oauth
	go test -run='^$' -fuzz='^FuzzParseTokenResponse$' -fuzztime=40000x ./wasm/oauth
	go test -run='^$' -fuzz='^FuzzRefreshResponse$' -fuzztime=20000x ./wasm/oauth
	go test -run='^$' -fuzz='^FuzzVerifyIDToken$' -fuzztime=20000x ./wasm/oauth
	go test -run='^$' -fuzz='^FuzzStoredRecords$' -fuzztime=10000x ./wasm/oauth
	# weburl against net/url, the oracle (each a few seconds)
	go test -run='^$' -fuzz='^FuzzParse$' -fuzztime=50000x ./wasm/internal/weburl
	go test -run='^$' -fuzz='^FuzzParseQuery$' -fuzztime=50000x ./wasm/internal/weburl
	go test -run='^$' -fuzz='^FuzzEncode$' -fuzztime=20000x ./wasm/internal/weburl
	go test -run='^$' -fuzz='^FuzzIsLoopbackIP$' -fuzztime=50000x ./wasm/internal/weburl
	# jsonv against encoding/json, the oracle (each a few seconds)
	go test -run='^$' -fuzz='^FuzzDecode$' -fuzztime=50000x ./wasm/internal/jsonv
	go test -run='^$' -fuzz='^FuzzAppendString$' -fuzztime=20000x ./wasm/internal/jsonv
	# seconds and HTTP-dates read by hand, against strconv.ParseFloat and time.Parse
	go test -run='^$' -fuzz='^FuzzNumberSeconds$' -fuzztime=50000x ./wasm/internal/jsonv
	go test -run='^$' -fuzz='^FuzzParseHTTPDate$' -fuzztime=50000x ./wasm/internal/protocol
	# provider-text cleaning, the rule the core and the token handler share
	go test -run='^$' -fuzz='^FuzzPlainText$' -fuzztime=20000x ./wasm/internal/protocol
	phase ""
	echo "== all tests passed in $((SECONDS - started)) s"
	;;
bench)
	ensure_chromium
	go test -run='^$' -bench=. -benchtime=20x -count=1 ./cmd/serve
	go test -run='^$' -bench=. -benchmem -count=1 ./wasm/oauth
	;;
*)
	echo "usage: ./build.sh [test|bench]" >&2
	exit 2
	;;
esac
