package main

import (
	"bufio"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"
)

// run serves until its context ends, then shuts down cleanly.
func TestRunServesAndShutsDown(t *testing.T) {
	ensureBuilt(t)
	ctx, cancel := context.WithCancel(context.Background())
	pr, pw := io.Pipe()
	done := make(chan error, 1)
	go func() {
		done <- run(ctx, []string{"-addr", "127.0.0.1:0", "-idp-addr", "127.0.0.1:0", "-no-build", "-quiet"}, pw, io.Discard)
		pw.Close()
	}()
	lines := bufio.NewScanner(pr)
	var site string
	for lines.Scan() {
		if u, ok := strings.CutPrefix(lines.Text(), "gopkce demo on "); ok {
			site = strings.TrimSuffix(u, "/")
			break
		}
	}
	go io.Copy(io.Discard, pr)
	if site == "" {
		t.Fatal("run did not announce the site")
	}
	resp, err := http.Get(site + "/config.json")
	if err != nil {
		t.Fatal(err)
	}
	var cfg struct {
		Gopkce map[string]any `json:"gopkce"`
		API    string         `json:"api"`
	}
	json.NewDecoder(resp.Body).Decode(&cfg)
	resp.Body.Close()
	if cfg.Gopkce["clientId"] != "gopkce-demo" || cfg.Gopkce["redirectUri"] != site+"/callback" || !strings.HasSuffix(cfg.API, "/api/me") {
		t.Fatalf("config.json = %+v", cfg)
	}
	for k := range cfg.Gopkce {
		if strings.Contains(strings.ToLower(k), "secret") {
			t.Fatalf("config.json carries %s", k)
		}
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("run: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("run did not stop on cancel")
	}
	if _, err := http.Get(site + "/"); err == nil {
		t.Fatal("still serving after shutdown")
	}
}

func TestRunRefusesBadFlags(t *testing.T) {
	for _, args := range [][]string{{"extra"}, {"-no-such-flag"}, {"-refresh-mode", "sometimes", "-no-build", "-addr", "127.0.0.1:0", "-idp-addr", "127.0.0.1:0"}} {
		if err := run(context.Background(), args, io.Discard, io.Discard); err == nil {
			t.Errorf("run(%v) accepted", args)
		}
	}
}
