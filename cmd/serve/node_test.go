package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"
)

// nodeTools are the npm packages the integrator tests use, at exact
// versions: TypeScript checks the types, Vite and webpack bundle the npm
// package.
var nodeTools = map[string]string{"typescript": "5.9.3", "vite": "8.3.8", "webpack": "5.113.0", "webpack-cli": "7.3.1"}

var (
	toolsOnce sync.Once
	toolsDir  string
	toolsErr  error
)

// requireNodeTools returns a directory whose node_modules holds nodeTools,
// installing them with npm on first use into the user's cache directory
// ($GOPKCE_NODE_TOOLS overrides it), where later runs find them. A missing
// node or npm, or a failed install, fails the test: it is never skipped.
func requireNodeTools(tb testing.TB) string {
	tb.Helper()
	toolsOnce.Do(func() { toolsDir, toolsErr = installNodeTools() })
	if toolsErr != nil {
		tb.Fatalf("TypeScript, Vite and webpack from npm: %v", toolsErr)
	}
	return toolsDir
}

func installNodeTools() (string, error) {
	for _, bin := range []string{"node", "npm"} {
		if _, err := exec.LookPath(bin); err != nil {
			return "", fmt.Errorf("%s not found: install Node.js 20.19 or later (Debian: apt-get install nodejs npm)", bin)
		}
	}
	names := make([]string, 0, len(nodeTools))
	for n := range nodeTools {
		names = append(names, n)
	}
	sort.Strings(names)
	var key []string
	for _, n := range names {
		key = append(key, n+"-"+nodeTools[n])
	}
	base := os.Getenv("GOPKCE_NODE_TOOLS")
	if base == "" {
		cache, err := os.UserCacheDir()
		if err != nil {
			return "", err
		}
		base = filepath.Join(cache, "gopkce", "node-tools")
	}
	dir := filepath.Join(base, strings.Join(key, "_"))
	if toolsPresent(dir) {
		return dir, nil
	}
	if err := os.MkdirAll(base, 0o755); err != nil {
		return "", err
	}
	// Install beside, then rename: a concurrent run never sees half a tree.
	tmp, err := os.MkdirTemp(base, "install-")
	if err != nil {
		return "", err
	}
	defer os.RemoveAll(tmp)
	pkg, _ := json.Marshal(map[string]any{"private": true, "dependencies": nodeTools})
	if err := os.WriteFile(filepath.Join(tmp, "package.json"), pkg, 0o644); err != nil {
		return "", err
	}
	if out, err := npm(tmp, "install", "--no-audit", "--no-fund", "--no-update-notifier"); err != nil {
		return "", fmt.Errorf("npm install %v: %v\n%s", nodeTools, err, out)
	}
	if err := os.Rename(tmp, dir); err != nil && !toolsPresent(dir) {
		return "", err
	}
	if !toolsPresent(dir) {
		return "", fmt.Errorf("npm install left no tsc, vite or webpack in %s", dir)
	}
	return dir, nil
}

func toolsPresent(dir string) bool {
	for _, p := range []string{"node_modules/typescript/bin/tsc", "node_modules/vite/bin/vite.js", "node_modules/webpack-cli/bin/cli.js"} {
		if _, err := os.Stat(filepath.Join(dir, p)); err != nil {
			return false
		}
	}
	return true
}

// npm runs npm in dir and returns its combined output.
func npm(dir string, args ...string) ([]byte, error) {
	cmd := exec.Command("npm", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "npm_config_update_notifier=false", "npm_config_fund=false", "npm_config_audit=false")
	return cmd.CombinedOutput()
}

// node runs a tool script of the cache (tsc, vite) in dir.
func node(tb testing.TB, dir, script string, args ...string) string {
	tb.Helper()
	cmd := exec.Command("node", append([]string{filepath.Join(requireNodeTools(tb), "node_modules", script)}, args...)...)
	cmd.Dir = dir
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	if err := cmd.Run(); err != nil {
		tb.Fatalf("%s %s in %s: %v\n%s", script, strings.Join(args, " "), dir, err, out.String())
	}
	return out.String()
}

// tscFlags are the compiler settings of each resolution an integrator may
// use: bundlers (Vite, webpack, esbuild) and Node's own ESM rules, which
// are the ones that need gopkce.d.mts.
var tscFlags = map[string][]string{
	"bundler": {"--module", "esnext", "--moduleResolution", "bundler"},
	"node16":  {"--module", "node16", "--moduleResolution", "node16"},
}

// tsc type-checks files in dir under each resolution, strictly.
func tsc(tb testing.TB, dir string, files ...string) {
	tb.Helper()
	for name, flags := range tscFlags {
		args := append([]string{"--noEmit", "--strict", "--target", "es2022", "--lib", "es2022,dom"}, flags...)
		out := node(tb, dir, "typescript/bin/tsc", append(args, files...)...)
		if strings.TrimSpace(out) != "" {
			tb.Errorf("tsc (%s): %s", name, out)
		}
	}
}
