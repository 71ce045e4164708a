// Package mlbackend is a real HTTP server speaking the protocol of
// label-studio-ml-backend (label_studio_ml/api.py): /health, /setup,
// /predict, /webhook and /metrics, with its basic authentication. Tests point
// Label Studio (or the stand-in) at it and read back what it received. It
// imports nothing of the stand-in, so the stand-in's own tests can use it.
package mlbackend

import (
	"bytes"
	"context"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"slices"
	"sync"
	"testing"
	"time"
)

// InitialModelVersion is LabelStudioMLBase.INITIAL_MODEL_VERSION
// (label_studio_ml/model.py): what /setup reports for a fresh model.
const InitialModelVersion = "0.0.1"

// ModelClass is the model class name /health reports.
const ModelClass = "StandInModel"

// Config is how the backend starts.
type Config struct {
	// Addr is the listen address; empty is a free loopback port. A real
	// Label Studio in a container needs an address it can reach.
	Addr string
	// BasicAuthUser and BasicAuthPass turn on basic authentication
	// (BASIC_AUTH_USER / BASIC_AUTH_PASS): both must be set, as in init_app.
	BasicAuthUser string
	BasicAuthPass string
	// ModelVersion is what /setup answers; empty is InitialModelVersion.
	ModelVersion string
}

// Request is one request the backend received.
type Request struct {
	Method string
	Path   string
	Header http.Header
	Body   []byte
}

// JSON decodes the request body into a map (nil when it is not an object).
func (r Request) JSON() map[string]any {
	var out map[string]any
	if err := json.Unmarshal(r.Body, &out); err != nil {
		return nil
	}
	return out
}

// Backend is a running model server.
type Backend struct {
	addr string
	cfg  Config

	mu           sync.Mutex
	server       *http.Server
	listener     net.Listener
	requests     []Request
	modelVersion string
	delay        time.Duration
	failing      map[string]bool
	closed       bool
}

// Start starts a backend and stops it when the test ends.
func Start(t testing.TB, cfg Config) *Backend {
	t.Helper()
	b, err := New(cfg)
	if err != nil {
		t.Fatalf("mlbackend: %v", err)
	}
	t.Cleanup(b.Close)
	return b
}

// New starts a backend; Close stops it.
func New(cfg Config) (*Backend, error) {
	addr := cfg.Addr
	if addr == "" {
		addr = "127.0.0.1:0"
	}
	b := &Backend{cfg: cfg, modelVersion: cfg.ModelVersion, failing: map[string]bool{}}
	if b.modelVersion == "" {
		b.modelVersion = InitialModelVersion
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, fmt.Errorf("listen on %s: %w", addr, err)
	}
	b.addr = ln.Addr().String()
	b.serve(ln)
	return b, nil
}

// URL is the backend's base URL, e.g. http://127.0.0.1:40123.
func (b *Backend) URL() string { return "http://" + b.addr }

// serve starts answering on ln; mu must not be held.
func (b *Backend) serve(ln net.Listener) {
	srv := &http.Server{Handler: http.HandlerFunc(b.handle), ReadHeaderTimeout: 10 * time.Second}
	b.mu.Lock()
	b.server, b.listener = srv, ln
	b.mu.Unlock()
	go func() { _ = srv.Serve(ln) }()
}

// Down stops listening, so connections are refused, as when the model
// server is not running. Up brings it back on the same address.
func (b *Backend) Down() {
	b.mu.Lock()
	srv, ln := b.server, b.listener
	b.server, b.listener = nil, nil
	b.mu.Unlock()
	if srv != nil {
		// Closing the listener here too: Shutdown only closes listeners
		// that Serve has started tracking, which a just-started one may not be.
		_ = ln.Close()
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		_ = srv.Shutdown(ctx)
	}
}

// Up listens again after Down.
func (b *Backend) Up() error {
	b.mu.Lock()
	running, closed := b.server != nil, b.closed
	b.mu.Unlock()
	if closed {
		return ErrClosed
	}
	if running {
		return nil
	}
	ln, err := net.Listen("tcp", b.addr)
	if err != nil {
		return fmt.Errorf("listen again on %s: %w", b.addr, err)
	}
	b.serve(ln)
	return nil
}

// Close stops the backend for good.
func (b *Backend) Close() {
	b.mu.Lock()
	b.closed = true
	b.mu.Unlock()
	b.Down()
}

// SetModelVersion changes what /setup answers from now on.
func (b *Backend) SetModelVersion(v string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.modelVersion = v
}

// SetDelay makes every answer wait d (0: answer at once), as a model that
// is loading or busy does.
func (b *Backend) SetDelay(d time.Duration) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.delay = d
}

// FailOn makes the given paths ("/setup", "/health", …) answer 500 the way
// the model server's exception_handler reports an exception; no paths
// clears the failures.
func (b *Backend) FailOn(paths ...string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.failing = map[string]bool{}
	for _, p := range paths {
		b.failing[p] = true
	}
}

// Requests returns what the backend received so far, oldest first.
func (b *Backend) Requests() []Request {
	b.mu.Lock()
	defer b.mu.Unlock()
	return slices.Clone(b.requests)
}

// RequestsTo returns the requests received on one path.
func (b *Backend) RequestsTo(path string) []Request {
	var out []Request
	for _, r := range b.Requests() {
		if r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

// Reset forgets the requests received so far.
func (b *Backend) Reset() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.requests = nil
}

func (b *Backend) handle(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(io.LimitReader(r.Body, 32<<20))
	b.mu.Lock()
	b.requests = append(b.requests, Request{Method: r.Method, Path: r.URL.Path, Header: r.Header.Clone(), Body: body})
	delay, failing, modelVersion := b.delay, b.failing[r.URL.Path], b.modelVersion
	b.mu.Unlock()

	if delay > 0 {
		select {
		case <-time.After(delay):
		case <-r.Context().Done():
			return
		}
	}
	// check_auth runs before routing (a Flask before_request hook), so a
	// wrong or missing password is refused on every path.
	if !b.authorized(r) {
		w.Header().Set("WWW-Authenticate", `Basic realm="Login required"`)
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(http.StatusUnauthorized)
		_, _ = io.WriteString(w, "Unauthorized")
		return
	}
	route, ok := routes[r.URL.Path]
	if !ok || !slices.Contains(route.methods, r.Method) {
		status := http.StatusNotFound
		if ok {
			status = http.StatusMethodNotAllowed
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.WriteHeader(status)
		_, _ = io.WriteString(w, http.StatusText(status))
		return
	}
	if failing {
		writeJSON(w, http.StatusInternalServerError, exceptionAnswer(r, "RuntimeError: model failure injected by the test"))
		return
	}
	route.handle(w, r, body, modelVersion)
}

func (b *Backend) authorized(r *http.Request) bool {
	if b.cfg.BasicAuthUser == "" || b.cfg.BasicAuthPass == "" {
		return true
	}
	user, pass, ok := r.BasicAuth()
	return ok &&
		subtle.ConstantTimeCompare([]byte(user), []byte(b.cfg.BasicAuthUser)) == 1 &&
		subtle.ConstantTimeCompare([]byte(pass), []byte(b.cfg.BasicAuthPass)) == 1
}

type route struct {
	methods []string
	handle  func(w http.ResponseWriter, r *http.Request, body []byte, modelVersion string)
}

// trainEvents are the webhook actions that make the model train (api.py
// TRAIN_EVENTS).
var trainEvents = []string{"ANNOTATION_CREATED", "ANNOTATION_UPDATED", "ANNOTATION_DELETED", "START_TRAINING"}

var routes = map[string]route{
	"/health": {methods: []string{http.MethodGet}, handle: health},
	"/":       {methods: []string{http.MethodGet}, handle: health},
	"/metrics": {methods: []string{http.MethodGet}, handle: func(w http.ResponseWriter, _ *http.Request, _ []byte, _ string) {
		writeJSON(w, http.StatusOK, map[string]any{})
	}},
	"/setup": {methods: []string{http.MethodPost}, handle: func(w http.ResponseWriter, r *http.Request, body []byte, modelVersion string) {
		var req struct {
			Project string `json:"project"`
		}
		if err := json.Unmarshal(body, &req); err != nil || req.Project == "" {
			// data.get('project').split(...) on a missing project.
			writeJSON(w, http.StatusInternalServerError, exceptionAnswer(r, "AttributeError: 'NoneType' object has no attribute 'split'"))
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"model_version": modelVersion})
	}},
	"/predict": {methods: []string{http.MethodPost}, handle: func(w http.ResponseWriter, _ *http.Request, _ []byte, _ string) {
		// The base model predicts nothing: an empty list of results.
		writeJSON(w, http.StatusOK, map[string]any{"results": []any{}})
	}},
	"/webhook": {methods: []string{http.MethodPost}, handle: func(w http.ResponseWriter, _ *http.Request, body []byte, _ string) {
		var req map[string]any
		action, ok := "", false
		if json.Unmarshal(body, &req) == nil {
			action, ok = req["action"].(string)
		}
		if !ok {
			// data.pop('action') raises KeyError; /webhook has no
			// exception_handler, so Flask answers its own 500 page.
			w.Header().Set("Content-Type", "text/html; charset=utf-8")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = io.WriteString(w, "Internal Server Error")
			return
		}
		if !slices.Contains(trainEvents, action) {
			writeJSON(w, http.StatusOK, map[string]any{"status": "Unknown event"})
			return
		}
		writeJSON(w, http.StatusCreated, map[string]any{"result": nil, "status": "ok"})
	}},
}

func health(w http.ResponseWriter, _ *http.Request, _ []byte, _ string) {
	writeJSON(w, http.StatusOK, map[string]any{"status": "UP", "model_class": ModelClass})
}

// exceptionAnswer is label_studio_ml/exceptions.py answer() for an
// exception caught by exception_handler.
func exceptionAnswer(r *http.Request, message string) map[string]any {
	args := map[string]any{}
	for k, v := range r.URL.Query() {
		args[k] = v[0]
	}
	return map[string]any{"status": http.StatusInternalServerError, "detail": message, "request": args,
		"result": map[string]any{"traceback": "Traceback (most recent call last):\n" + message + "\n"}}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(v); err != nil {
		status = http.StatusInternalServerError
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// ErrClosed is returned by Up after Close.
var ErrClosed = errors.New("mlbackend: closed")
