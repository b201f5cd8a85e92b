package app

import (
	"bufio"
	"fmt"
	"io"
	"math/rand/v2"
	"net"
	"net/http"
	"strings"
	"syscall"
	"testing"
	"testing/fstest"
	"time"
)

func TestServerTimeouts(t *testing.T) {
	s := Server(http.NotFoundHandler())
	for name, d := range map[string]time.Duration{
		"ReadHeaderTimeout": s.ReadHeaderTimeout, "ReadTimeout": s.ReadTimeout,
		"WriteTimeout": s.WriteTimeout, "IdleTimeout": s.IdleTimeout,
	} {
		if d <= 0 || d > 2*time.Minute {
			t.Errorf("%s = %v", name, d)
		}
	}
	if s.ReadHeaderTimeout > s.ReadTimeout || s.MaxHeaderBytes <= 0 || s.MaxHeaderBytes > 64<<10 {
		t.Errorf("ReadHeaderTimeout %v, ReadTimeout %v, MaxHeaderBytes %d", s.ReadHeaderTimeout, s.ReadTimeout, s.MaxHeaderBytes)
	}
}

// serve runs the demo's handler on Server over loopback, with
// WriteTimeout shortened by the test.
func serve(t *testing.T, assets fstest.MapFS, writeTimeout time.Duration) string {
	t.Helper()
	o := devOptions()
	o.Assets = assets
	h, err := New(o)
	if err != nil {
		t.Fatal(err)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	srv := Server(h)
	if writeTimeout > 0 {
		srv.WriteTimeout = writeTimeout
	}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	return ln.Addr().String()
}

func TestServerRefusesHugeHeaders(t *testing.T) {
	addr := serve(t, fstest.MapFS{"index.html": {Data: []byte("x")}}, 0)
	conn, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	go fmt.Fprintf(conn, "GET / HTTP/1.1\r\nHost: x\r\nX-Big: %s\r\n\r\n", strings.Repeat("a", 2*MaxHeaderBytes))
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge {
		t.Fatalf("status %d, want 431", resp.StatusCode)
	}
}

// A client reading a large file slowly receives all of it, although that
// takes longer than the server's write timeout: the site extends the
// deadline for large bodies.
func TestSlowClientGetsLargeFile(t *testing.T) {
	big := make([]byte, 12<<20) // more than loopback's socket buffers hold
	for i := range big {
		big[i] = byte(rand.Uint32())
	}
	addr := serve(t, fstest.MapFS{"index.html": {Data: []byte("x")}, "big.bin": {Data: big}}, 300*time.Millisecond)
	d := net.Dialer{Control: func(_, _ string, c syscall.RawConn) error {
		return c.Control(func(fd uintptr) { syscall.SetsockoptInt(int(fd), syscall.SOL_SOCKET, syscall.SO_RCVBUF, 16<<10) })
	}}
	conn, err := d.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	fmt.Fprintf(conn, "GET /big.bin HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	// The server fills the socket buffers and blocks past its 300 ms.
	time.Sleep(500 * time.Millisecond)
	buf := make([]byte, 256<<10)
	n := 0
	for {
		m, err := resp.Body.Read(buf)
		n += m
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("after %d of %d bytes in %v: %v", n, len(big), time.Since(start), err)
		}
	}
	if n != len(big) {
		t.Fatalf("read %d of %d bytes in %v", n, len(big), time.Since(start))
	}
}

// Paths that are not clean get the site's 404 and headers, never a
// redirect (ServeMux would redirect "//evil.example/" to "/evil.example/").
func TestUncleanPathsNotRedirected(t *testing.T) {
	addr := serve(t, fstest.MapFS{"index.html": {Data: []byte("<title>demo</title>")}, "app.js": {Data: []byte("x")}}, 0)
	for _, target := range []string{"//evil.example/", "/a/../app.js", "/./app.js", "/../index.html", "//", "/app.js/.."} {
		conn, err := net.Dial("tcp", addr)
		if err != nil {
			t.Fatal(err)
		}
		fmt.Fprintf(conn, "GET %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n", target)
		resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
		if err != nil {
			t.Fatal(err)
		}
		conn.Close()
		if resp.StatusCode != 404 && resp.StatusCode != 400 || resp.Header.Get("Location") != "" {
			t.Errorf("%s: %d, Location %q", target, resp.StatusCode, resp.Header.Get("Location"))
		}
		if resp.StatusCode == 404 && resp.Header.Get("Content-Security-Policy") == "" {
			t.Errorf("%s: 404 without the site's headers", target)
		}
	}
	// Clean paths still route.
	resp, err := http.Get("http://" + addr + "/app.js")
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("/app.js: %v %v", resp, err)
	}
	resp.Body.Close()
}
