package main

import (
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"time"
)

// benchPages serves the benchmark pages of testdata/bench under /bench/,
// beside the site and with its headers (the same Content-Security-Policy):
//
//   - /bench/gopkce.html: gopkce configured like the demo page;
//   - /bench/floor.html: the floor, plain JavaScript doing the same storage
//     and fetch work (floor.js);
//   - /bench/config.js: the demo's page configuration, for both;
//   - /bench/slow.js: an empty script answered after 10 s.
//
// ?first on either page asks for a token as soon as the page runs; a
// fragment holding a JSON object overrides configuration keys.
func benchPages(site http.Handler, pageConfig map[string]any) http.Handler {
	probe := httptest.NewRecorder()
	site.ServeHTTP(probe, httptest.NewRequest("GET", "/", nil))
	csp := probe.Header().Get("Content-Security-Policy")
	cfg, _ := json.Marshal(pageConfig)
	files := http.StripPrefix("/bench/", http.FileServer(http.Dir("testdata/bench")))
	mux := http.NewServeMux()
	mux.Handle("/", site)
	mux.HandleFunc("/bench/", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Security-Policy", csp)
		w.Header().Set("X-Content-Type-Options", "nosniff")
		w.Header().Set("Cache-Control", "no-cache")
		if r.URL.Path == "/bench/slow.js" {
			// A deferred script that keeps the parser's document loading
			// (testModuleRead stops it with window.stop()).
			select {
			case <-r.Context().Done():
			case <-time.After(10 * time.Second):
			}
			w.Header().Set("Content-Type", "text/javascript")
			return
		}
		if r.URL.Path == "/bench/config.js" {
			w.Header().Set("Content-Type", "text/javascript")
			w.Write([]byte("window.benchConfig = " + string(cfg) + ";\n"))
			return
		}
		files.ServeHTTP(w, r)
	})
	return mux
}
