package testenv

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// Receiver is a real HTTP server on the loopback interface that records the
// webhook deliveries Label Studio sends it. Its URL passes Label Studio's
// URL validation (an IP address, not a single-label host name).
type Receiver struct {
	// URL is the base address, e.g. http://127.0.0.1:41234, without a
	// trailing slash; deliveries may go to any path below it.
	URL string

	mu         sync.Mutex
	deliveries []Delivery
	failStatus int
	delay      time.Duration
	changed    chan struct{} // closed and replaced on every delivery
}

// Delivery is one request the receiver got.
type Delivery struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
	// Status is what the receiver answered.
	Status int
}

// Payload decodes the JSON body; numbers stay json.Number.
func (d Delivery) Payload(t testing.TB) map[string]any {
	t.Helper()
	var out map[string]any
	dec := json.NewDecoder(bytes.NewReader(d.Body))
	dec.UseNumber()
	if err := dec.Decode(&out); err != nil {
		t.Fatalf("testenv: webhook body to %s is not a JSON object: %v: %s", d.Path, err, d.Body)
	}
	return out
}

// Action is the payload's "action", or "" when the body has none.
func (d Delivery) Action() string {
	var head struct {
		Action string `json:"action"`
	}
	_ = json.Unmarshal(d.Body, &head)
	return head.Action
}

// NewReceiver starts a receiver that answers 200 until told otherwise; it
// stops when the test ends. It listens on a free loopback port, or on
// LSTEST_WEBHOOK_RECEIVER_ADDR (host:port, port 0 for any) when a real
// Label Studio elsewhere must reach it.
func NewReceiver(t testing.TB) *Receiver {
	t.Helper()
	r := &Receiver{changed: make(chan struct{})}
	srv := httptest.NewUnstartedServer(http.HandlerFunc(r.serve))
	if addr := os.Getenv("LSTEST_WEBHOOK_RECEIVER_ADDR"); addr != "" {
		l, err := net.Listen("tcp", addr)
		if err != nil {
			t.Fatalf("testenv: webhook receiver on LSTEST_WEBHOOK_RECEIVER_ADDR=%s: %v", addr, err)
		}
		_ = srv.Listener.Close()
		srv.Listener = l
	}
	srv.Start()
	t.Cleanup(srv.Close)
	r.URL = srv.URL
	return r
}

func (r *Receiver) serve(w http.ResponseWriter, req *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(req.Body, 64<<20))
	r.mu.Lock()
	delay := r.delay
	r.mu.Unlock()
	if delay > 0 {
		select { // a sender that gave up ends the wait
		case <-time.After(delay):
		case <-req.Context().Done():
		}
	}
	r.mu.Lock()
	status := http.StatusOK
	if r.failStatus != 0 {
		status = r.failStatus
	}
	r.deliveries = append(r.deliveries, Delivery{Method: req.Method, Path: req.URL.Path, Header: req.Header.Clone(), Body: body, Status: status})
	close(r.changed)
	r.changed = make(chan struct{})
	r.mu.Unlock()
	w.WriteHeader(status)
}

// FailWith makes the receiver answer every later delivery with status
// (e.g. 500); 0 restores 200.
func (r *Receiver) FailWith(status int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failStatus = status
}

// Delay makes the receiver wait d before answering later deliveries (0:
// answer at once), to stand in for a slow endpoint.
func (r *Receiver) Delay(d time.Duration) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.delay = d
}

// Deliveries returns what has arrived so far, oldest first.
func (r *Receiver) Deliveries() []Delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]Delivery(nil), r.deliveries...)
}

// WaitFor waits until match accepts a delivery and returns the first one it
// accepts (nil accepts any). It fails the test when none has arrived by the
// deadline (which bounds the wait; the time is not asserted), listing what
// did arrive.
func (r *Receiver) WaitFor(t testing.TB, within time.Duration, match func(Delivery) bool) Delivery {
	t.Helper()
	timer := time.NewTimer(within)
	defer timer.Stop()
	seen := 0
	for {
		r.mu.Lock()
		changed := r.changed
		list := r.deliveries
		r.mu.Unlock()
		for ; seen < len(list); seen++ {
			if match == nil || match(list[seen]) {
				return list[seen]
			}
		}
		select {
		case <-changed:
		case <-timer.C:
			t.Fatalf("testenv: no matching webhook delivery within %s; received: %s", within, summarize(r.Deliveries()))
		}
	}
}

// WaitForAction waits for a delivery whose payload action is action.
func (r *Receiver) WaitForAction(t testing.TB, within time.Duration, action string) Delivery {
	t.Helper()
	return r.WaitFor(t, within, func(d Delivery) bool { return d.Action() == action })
}

func summarize(list []Delivery) string {
	if len(list) == 0 {
		return "nothing"
	}
	parts := make([]string, len(list))
	for i, d := range list {
		parts[i] = fmt.Sprintf("%s %s action=%q", d.Method, d.Path, d.Action())
	}
	return strings.Join(parts, "; ")
}
