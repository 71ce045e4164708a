package devserver

import (
	"context"
	"fmt"
	"log"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver/connect"
)

// Server is a running stand-in. It is safe for concurrent use.
type Server struct {
	cfg Config
	env connect.Env
	// connectorFor is connect.For; tests substitute fakes.
	connectorFor func(kind string, env connect.Env) (connect.Connector, error)

	mu sync.Mutex // guards st, jobs, faults, release, held and counts
	st *state
	// jobs maps a storage key to its live queued job (queued mode only).
	jobs      map[string]*syncJob
	faults    []*fault
	counts    map[string]int
	nextFault int64
	// release is closed (and replaced) when the faults are cleared; held
	// is how many answers of "hold" faults wait for it.
	release chan struct{}
	held    int

	queue   chan *syncJob
	ctx     context.Context
	cancel  context.CancelFunc
	workers sync.WaitGroup
	closed  bool

	routes  []route
	handler http.Handler
}

// New builds a server from cfg, applying the defaults of zero fields, and
// loads the state kept in cfg.DataDir if there is one.
func New(cfg Config) (*Server, error) {
	cfg, err := cfg.withDefaults()
	if err != nil {
		return nil, err
	}
	st := newState()
	if cfg.DataDir != "" {
		if st, err = loadState(cfg.DataDir); err != nil {
			return nil, err
		}
	}
	if len(st.JWTSecret) == 0 {
		if st.JWTSecret, err = randomSecret(32); err != nil {
			return nil, err
		}
	}
	switch {
	case cfg.UserToken != "":
		st.LegacyToken = cfg.UserToken
	case st.LegacyToken == "":
		if st.LegacyToken, err = newLegacyToken(); err != nil {
			return nil, err
		}
	}
	ctx, cancel := context.WithCancel(context.Background())
	s := &Server{
		cfg: cfg,
		env: connect.Env{
			GCSEndpoint:              cfg.GCSEndpoint,
			AzureEndpoint:            cfg.AzureEndpoint,
			AzureAccountName:         cfg.AzureAccountName,
			AzureAccountKey:          cfg.AzureAccountKey,
			LocalFilesServingEnabled: cfg.LocalFilesServingEnabled,
			LocalFilesDocumentRoot:   cfg.LocalFilesDocumentRoot,
			S3TrustedDomains:         cfg.S3TrustedDomains,
		},
		connectorFor: connect.For,
		st:           st,
		jobs:         map[string]*syncJob{},
		counts:       map[string]int{},
		release:      make(chan struct{}),
		queue:        make(chan *syncJob, 1024),
		ctx:          ctx,
		cancel:       cancel,
	}
	s.routes = s.buildRoutes()
	s.handler = http.HandlerFunc(s.serve)
	if err := s.persistLocked(); err != nil {
		cancel()
		return nil, err
	}
	if cfg.SyncMode == SyncQueued {
		for range cfg.SyncWorkers {
			s.workers.Add(1)
			go s.worker()
		}
	}
	return s, nil
}

// Handler is the server's HTTP handler.
func (s *Server) Handler() http.Handler { return s.handler }

// LegacyToken is the bootstrap user's legacy API token.
func (s *Server) LegacyToken() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.st.LegacyToken
}

// Close stops the sync workers (a running sync is cancelled and left as it
// was, as when Label Studio's worker dies) and writes the state once more.
func (s *Server) Close() error {
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		return nil
	}
	s.closed = true
	s.mu.Unlock()
	s.cancel()
	s.workers.Wait()
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.persistLocked()
}

// persistLocked writes the snapshot when the server keeps state on disk.
func (s *Server) persistLocked() error {
	if s.cfg.DataDir == "" {
		return nil
	}
	return saveState(s.cfg.DataDir, s.st)
}

// routeParams are the parts of a matched URL.
type routeParams struct {
	kind string
	dir  string
	id   int64
}

type handlerFunc func(w http.ResponseWriter, r *http.Request, p routeParams) error

// route is one URL pattern of Label Studio's URL map (API.md 1).
type route struct {
	pattern *regexp.Regexp
	// name is the pattern as counted by /_dev/requests, e.g.
	// /api/storages/{kind}/{id}; {kind} is replaced by the kind.
	name string
	// dir is the storage direction of storage routes.
	dir     string
	public  bool
	methods map[string]handlerFunc
}

func (s *Server) buildRoutes() []route {
	storageRoutes := func(prefix, listSuffix, dir string) []route {
		return []route{
			{pattern: regexp.MustCompile(`^` + prefix + `([a-z0-9_]+)` + listSuffix + `$`), name: prefix + "{kind}" + listSuffix, dir: dir,
				methods: map[string]handlerFunc{http.MethodGet: s.handleStorageList, http.MethodPost: s.handleStorageCreate}},
			{pattern: regexp.MustCompile(`^` + prefix + `([a-z0-9_]+)/validate$`), name: prefix + "{kind}/validate", dir: dir,
				methods: map[string]handlerFunc{http.MethodPost: s.handleStorageValidate}},
			{pattern: regexp.MustCompile(`^` + prefix + `([a-z0-9_]+)/([0-9]+)$`), name: prefix + "{kind}/{id}", dir: dir,
				methods: map[string]handlerFunc{http.MethodGet: s.handleStorageGet, http.MethodPatch: s.handleStoragePatch,
					http.MethodPut: s.handleStoragePut, http.MethodDelete: s.handleStorageDelete}},
			{pattern: regexp.MustCompile(`^` + prefix + `([a-z0-9_]+)/([0-9]+)/sync$`), name: prefix + "{kind}/{id}/sync", dir: dir,
				methods: map[string]handlerFunc{http.MethodPost: s.handleStorageSync}},
		}
	}
	routes := []route{
		{pattern: regexp.MustCompile(`^/api/version/$`), name: "/api/version/", public: true,
			methods: map[string]handlerFunc{http.MethodGet: s.handleVersion}},
		{pattern: regexp.MustCompile(`^/api/current-user/whoami$`), name: "/api/current-user/whoami",
			methods: map[string]handlerFunc{http.MethodGet: s.handleWhoAmI}},
		{pattern: regexp.MustCompile(`^/api/token/$`), name: "/api/token/",
			methods: map[string]handlerFunc{http.MethodGet: s.handleTokenList, http.MethodPost: s.handleTokenCreate}},
		{pattern: regexp.MustCompile(`^/api/token/refresh/$`), name: "/api/token/refresh/", public: true,
			methods: map[string]handlerFunc{http.MethodPost: s.handleTokenRefresh}},
		{pattern: regexp.MustCompile(`^/api/projects/$`), name: "/api/projects/",
			methods: map[string]handlerFunc{http.MethodGet: s.handleProjectList, http.MethodPost: s.handleProjectCreate}},
		{pattern: regexp.MustCompile(`^/api/projects/([0-9]+)/$`), name: "/api/projects/{id}/",
			methods: map[string]handlerFunc{http.MethodGet: s.handleProjectGet, http.MethodPatch: s.handleProjectPatch,
				http.MethodPut: s.handleProjectPut, http.MethodDelete: s.handleProjectDelete}},
		{pattern: regexp.MustCompile(`^/api/tasks/$`), name: "/api/tasks/",
			methods: map[string]handlerFunc{http.MethodGet: s.handleTaskList}},
		{pattern: regexp.MustCompile(`^/api/tasks/([0-9]+)/$`), name: "/api/tasks/{id}/",
			methods: map[string]handlerFunc{http.MethodGet: s.handleTaskGet}},
		// projects/urls.py: validate in general (AllowAny) and for a project.
		{pattern: regexp.MustCompile(`^/api/projects/validate/$`), name: "/api/projects/validate/", public: true,
			methods: map[string]handlerFunc{http.MethodPost: s.handleLabelConfigValidate}},
		{pattern: regexp.MustCompile(`^/api/projects/([0-9]+)/validate/$`), name: "/api/projects/{id}/validate/",
			methods: map[string]handlerFunc{http.MethodPost: s.handleProjectValidate}},
		// data_manager/urls.py: a DRF DefaultRouter, every path with a slash.
		{pattern: regexp.MustCompile(`^/api/dm/views/$`), name: "/api/dm/views/",
			methods: map[string]handlerFunc{http.MethodGet: s.handleViewList, http.MethodPost: s.handleViewCreate}},
		{pattern: regexp.MustCompile(`^/api/dm/views/reset/$`), name: "/api/dm/views/reset/",
			methods: map[string]handlerFunc{http.MethodDelete: s.handleViewReset}},
		{pattern: regexp.MustCompile(`^/api/dm/views/order/$`), name: "/api/dm/views/order/",
			methods: map[string]handlerFunc{http.MethodPost: s.handleViewOrder}},
		{pattern: regexp.MustCompile(`^/api/dm/views/([0-9]+)/$`), name: "/api/dm/views/{id}/",
			methods: map[string]handlerFunc{http.MethodGet: s.handleViewGet, http.MethodPatch: s.handleViewPatch,
				http.MethodPut: s.handleViewPut, http.MethodDelete: s.handleViewDelete}},
		// ml/urls.py: the list has a trailing slash, the detail has none.
		{pattern: regexp.MustCompile(`^/api/ml/$`), name: "/api/ml/",
			methods: map[string]handlerFunc{http.MethodGet: s.handleMLList, http.MethodPost: s.handleMLCreate}},
		{pattern: regexp.MustCompile(`^/api/ml/([0-9]+)$`), name: "/api/ml/{id}",
			methods: map[string]handlerFunc{http.MethodGet: s.handleMLGet, http.MethodPatch: s.handleMLPatch,
				http.MethodPut: s.handleMLPut, http.MethodDelete: s.handleMLDelete}},
		{pattern: regexp.MustCompile(`^/api/storages/types$`), name: "/api/storages/types", dir: dirImport,
			methods: map[string]handlerFunc{http.MethodGet: s.handleStorageTypes}},
		{pattern: regexp.MustCompile(`^/api/storages/export/types$`), name: "/api/storages/export/types", dir: dirExport,
			methods: map[string]handlerFunc{http.MethodGet: s.handleStorageTypes}},
		{pattern: regexp.MustCompile(`^/api/storages/$`), name: "/api/storages/", dir: dirImport,
			methods: map[string]handlerFunc{http.MethodGet: s.handleAllStorageList}},
		{pattern: regexp.MustCompile(`^/api/storages/export$`), name: "/api/storages/export", dir: dirExport,
			methods: map[string]handlerFunc{http.MethodGet: s.handleAllStorageList}},
	}
	routes = append(routes, s.webhookRoutes()...)
	routes = append(routes, s.annotationRoutes()...)
	routes = append(routes, storageRoutes("/api/storages/export/", "", dirExport)...)
	routes = append(routes, storageRoutes("/api/storages/", "/", dirImport)...)
	return routes
}

// match finds the route of path. A {kind} that is not an enabled kind does
// not match, as Label Studio has no URL pattern for it.
func (s *Server) match(path string) (*route, routeParams, bool) {
	for i := range s.routes {
		rt := &s.routes[i]
		m := rt.pattern.FindStringSubmatch(path)
		if m == nil {
			continue
		}
		p := routeParams{dir: rt.dir}
		groups := m[1:]
		if strings.Contains(rt.name, "{kind}") {
			p.kind = groups[0]
			if s.kindSpec(p.kind) == nil {
				continue
			}
			groups = groups[1:]
		}
		if len(groups) > 0 {
			id, err := strconv.ParseInt(groups[0], 10, 64)
			if err != nil {
				continue // beyond int64: Django's int converter matches, the lookup fails
			}
			p.id = id
		}
		return rt, p, true
	}
	return nil, routeParams{}, false
}

// resolve matches path, re-dispatching a path without a trailing slash with
// the slash added when it has no route itself, as Label Studio's
// CommonMiddlewareAppendSlashWithoutRedirect does. Never the reverse.
func (s *Server) resolve(path string) (*route, routeParams, bool) {
	if rt, p, ok := s.match(path); ok {
		return rt, p, true
	}
	if !strings.HasSuffix(path, "/") {
		return s.match(path + "/")
	}
	return nil, routeParams{}, false
}

// serve is the whole request pipeline: panic recovery, dev hooks, request
// counting, injected faults, routing, authentication, the handler.
func (s *Server) serve(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			log.Printf("devserver: panic serving %s %s: %v", r.Method, r.URL.Path, v)
			s.writeEnvelope(w, uncaught("Exception", fmt.Sprint(v)))
		}
	}()
	if strings.HasPrefix(r.URL.Path, "/_dev/") {
		if !s.cfg.DevHooks {
			writeDjangoNotFound(w, r)
			return
		}
		s.serveDevHook(w, r)
		return
	}
	rt, params, ok := s.resolve(r.URL.Path)
	s.countRequest(r.Method, rt, params, r.URL.Path)
	answered, diverted := s.applyFault(w, r)
	if answered {
		return
	}
	if diverted != nil {
		defer diverted.finish()
		w = diverted
	}
	if !ok {
		writeDjangoNotFound(w, r)
		return
	}
	handler, allowed := rt.methods[r.Method]
	if !rt.public {
		if authErr := s.authenticate(r); authErr != nil {
			s.writeEnvelope(w, authErr)
			return
		}
	}
	if !allowed {
		s.writeEnvelope(w, &apiError{status: http.StatusMethodNotAllowed, detail: fmt.Sprintf("Method %q not allowed.", r.Method)})
		return
	}
	if err := handler(w, r, params); err != nil {
		s.writeHandlerError(w, r, err)
	}
}

// writeHandlerError turns a handler's error into the envelope; anything but
// an *apiError is an unexpected exception, a 500 whose detail is its text.
func (s *Server) writeHandlerError(w http.ResponseWriter, r *http.Request, err error) {
	if e, ok := err.(*apiError); ok {
		s.writeEnvelope(w, e)
		return
	}
	log.Printf("devserver: %s %s: %v", r.Method, r.URL.Path, err)
	s.writeEnvelope(w, uncaught("Exception", err.Error()))
}

// countRequest records a request under its method and route pattern.
func (s *Server) countRequest(method string, rt *route, p routeParams, path string) {
	name := path
	if rt != nil {
		name = strings.Replace(rt.name, "{kind}", p.kind, 1)
	}
	s.mu.Lock()
	s.counts[method+" "+name]++
	s.mu.Unlock()
}

// Time formats Label Studio uses: DRF's ISO-8601 for model fields and
// Python's str(datetime) inside meta.
func isoTime(t time.Time) string { return t.UTC().Format("2006-01-02T15:04:05.000000Z") }

func pythonTime(t time.Time) string {
	t = t.UTC()
	if t.Nanosecond()/1000 == 0 {
		return t.Format("2006-01-02 15:04:05+00:00") // str(datetime) drops zero microseconds
	}
	return t.Format("2006-01-02 15:04:05.000000+00:00")
}

func parsePythonTime(v any) (time.Time, bool) {
	text, ok := v.(string)
	if !ok {
		return time.Time{}, false
	}
	for _, layout := range []string{"2006-01-02 15:04:05.999999-07:00", "2006-01-02 15:04:05-07:00"} {
		if t, err := time.Parse(layout, text); err == nil {
			return t, true
		}
	}
	return time.Time{}, false
}

func sortByCreation(list []*patRecord) {
	sort.SliceStable(list, func(i, j int) bool { return list[i].CreatedAt < list[j].CreatedAt })
}
