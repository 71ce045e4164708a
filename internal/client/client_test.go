package client

import (
	"context"
	"encoding/pem"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"testing"
)

func TestNewValidatesURL(t *testing.T) {
	for _, tc := range []struct {
		url     string
		wantErr string
	}{
		{"", "URL is empty"},
		{"localhost:8080", "must start with http:// or https://"},
		{"ftp://example.com", "must start with http:// or https://"},
		{"http://", "has no host"},
		{"https://user:hunter2@ls.example.com?x=1", "must not have a query"},
		{"http://user:hunter2@ls.example.com/%zz", "is not a valid URL"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			_, err := New(Config{URL: tc.url, APIKey: "key"})
			if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
				t.Fatalf("New(%q) error = %v, want one containing %q", tc.url, err, tc.wantErr)
			}
			if strings.Contains(err.Error(), "hunter2") {
				t.Fatalf("error shows the URL's password: %v", err)
			}
		})
	}
	if _, err := New(Config{URL: "http://ls.example.com"}); err == nil || !strings.Contains(err.Error(), "API key is empty") {
		t.Fatalf("New without a key: %v", err)
	}
}

func TestBaseURLTrailingSlashAndPrefix(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"release":"1.23.2","edition":"Community"}`)
	})
	for _, tc := range []struct{ base, wantPath string }{
		{srv.URL, "/api/version/"},
		{srv.URL + "/", "/api/version/"},
		{srv.URL + "/label-studio/", "/label-studio/api/version/"},
		{srv.URL + "/label-studio", "/label-studio/api/version/"},
	} {
		c, _ := newTestClient(t, tc.base, "key")
		info, err := c.Version(context.Background())
		if err != nil {
			t.Fatalf("%s: %v", tc.base, err)
		}
		if info.Release != "1.23.2" || info.Edition != "Community" {
			t.Errorf("%s: version = %+v", tc.base, info)
		}
		reqs := srv.recorded()
		if got := reqs[len(reqs)-1].Path; got != tc.wantPath {
			t.Errorf("base %q requested %q, want %q", tc.base, got, tc.wantPath)
		}
	}
}

// TestStoragePaths checks the exact method, path, query and body of every
// storage call in both directions.
func TestStoragePaths(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch {
		case r.Method == http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		case strings.HasSuffix(r.URL.Path, "/validate"):
			w.WriteHeader(http.StatusOK)
		case strings.HasSuffix(r.URL.Path, "/types"):
			writeJSON(w, http.StatusOK, `[{"name":"s3","title":"AWS S3"},{"name":"gcs","title":"Google Cloud Storage"}]`)
		case r.URL.Query().Get("project") != "":
			writeJSON(w, http.StatusOK, "["+storageJSON+"]")
		case r.Method == http.MethodPost && !strings.HasSuffix(r.URL.Path, "/sync"):
			writeJSON(w, http.StatusCreated, storageJSON)
		default:
			writeJSON(w, http.StatusOK, storageJSON)
		}
	})
	c, _ := newTestClient(t, srv.URL, "key")
	ctx := context.Background()
	body := map[string]any{"project": 3, "bucket": "data"}

	type step struct {
		name string
		run  func() error
		want recorded
	}
	var steps []step
	for _, dir := range []Direction{Import, Export} {
		base := "/api/storages/s3"
		collection := "/api/storages/s3/"
		all := "/api/storages/"
		if dir == Export {
			base = "/api/storages/export/s3"
			collection = base
			all = "/api/storages/export"
		}
		ref := StorageRef{Kind: "s3", Direction: dir, ID: 7}
		steps = append(steps,
			step{string(dir) + " list", func() error { _, err := c.ListStorages(ctx, "s3", dir, 3); return err },
				recorded{Method: "GET", Path: collection, RawQuery: "project=3"}},
			step{string(dir) + " list all", func() error { _, err := c.ListAllStorages(ctx, dir, 3); return err },
				recorded{Method: "GET", Path: all, RawQuery: "project=3"}},
			step{string(dir) + " create", func() error { _, err := c.CreateStorage(ctx, "s3", dir, body); return err },
				recorded{Method: "POST", Path: collection, ContentType: "application/json", Body: `{"bucket":"data","project":3}`}},
			step{string(dir) + " get", func() error { _, err := c.GetStorage(ctx, ref); return err },
				recorded{Method: "GET", Path: base + "/7"}},
			step{string(dir) + " update", func() error { _, err := c.UpdateStorage(ctx, ref, body); return err },
				recorded{Method: "PATCH", Path: base + "/7", ContentType: "application/json", Body: `{"bucket":"data","project":3}`}},
			step{string(dir) + " validate", func() error { return c.ValidateStorage(ctx, "s3", dir, body) },
				recorded{Method: "POST", Path: base + "/validate", ContentType: "application/json", Body: `{"bucket":"data","project":3}`}},
			step{string(dir) + " sync", func() error { _, err := c.SyncStorage(ctx, ref); return err },
				recorded{Method: "POST", Path: base + "/7/sync"}},
			step{string(dir) + " delete", func() error { return c.DeleteStorage(ctx, ref) },
				recorded{Method: "DELETE", Path: base + "/7"}},
		)
	}
	for _, s := range steps {
		before := len(srv.recorded())
		if err := s.run(); err != nil {
			t.Fatalf("%s: %v", s.name, err)
		}
		reqs := srv.recorded()
		if len(reqs) != before+1 {
			t.Fatalf("%s made %d requests, want 1", s.name, len(reqs)-before)
		}
		got := reqs[len(reqs)-1]
		s.want.Authorization = "Token key"
		if got != s.want {
			t.Errorf("%s:\n got  %+v\n want %+v", s.name, got, s.want)
		}
	}
}

func TestStorageCallsRejectBadKindAndDirection(t *testing.T) {
	c, _ := newTestClient(t, "http://127.0.0.1:1", "key")
	ctx := context.Background()
	if _, err := c.GetStorage(ctx, StorageRef{Kind: "../projects", Direction: Import, ID: 1}); err == nil ||
		!strings.Contains(err.Error(), "invalid storage kind") {
		t.Errorf("bad kind: %v", err)
	}
	if _, err := c.ListStorages(ctx, "s3", Direction("sideways"), 1); err == nil ||
		!strings.Contains(err.Error(), "unknown storage direction") {
		t.Errorf("bad direction: %v", err)
	}
}

func TestDeleteAccepts200And204(t *testing.T) {
	for _, status := range []int{http.StatusOK, http.StatusNoContent} {
		srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) { w.WriteHeader(status) })
		c, _ := newTestClient(t, srv.URL, "key")
		if err := c.DeleteStorage(context.Background(), StorageRef{Kind: "gcs", Direction: Export, ID: 4}); err != nil {
			t.Errorf("delete storage answered %d: %v", status, err)
		}
		if err := c.DeleteProject(context.Background(), 4); err != nil {
			t.Errorf("delete project answered %d: %v", status, err)
		}
	}
}

func TestProjectPaths(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		switch r.Method {
		case http.MethodPost:
			writeJSON(w, http.StatusCreated, `{"id":11,"title":"Birds","label_config":"<View></View>"}`)
		case http.MethodDelete:
			w.WriteHeader(http.StatusNoContent)
		default:
			writeJSON(w, http.StatusOK, `{"id":11,"title":"Birds","label_config":"<View></View>"}`)
		}
	})
	c, _ := newTestClient(t, srv.URL, "key")
	ctx := context.Background()
	created, err := c.CreateProject(ctx, map[string]any{"title": "Birds"})
	if err != nil {
		t.Fatal(err)
	}
	if created.ID != 11 || created.Title != "Birds" || created.Fields["label_config"] != "<View></View>" {
		t.Errorf("created = %+v", created)
	}
	if _, err := c.GetProject(ctx, 11); err != nil {
		t.Fatal(err)
	}
	if _, err := c.UpdateProject(ctx, 11, map[string]any{"title": "Bees"}); err != nil {
		t.Fatal(err)
	}
	if err := c.DeleteProject(ctx, 11); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, r := range srv.recorded() {
		got = append(got, r.Method+" "+r.Path+" "+r.Body)
	}
	want := []string{
		`POST /api/projects/ {"title":"Birds"}`,
		"GET /api/projects/11/ ",
		`PATCH /api/projects/11/ {"title":"Bees"}`,
		"DELETE /api/projects/11/ ",
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("requests:\n got  %q\n want %q", got, want)
	}
}

func TestCheckAuthAndVersionPaths(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/api/current-user/whoami" {
			writeJSON(w, http.StatusOK, `{"id":1,"email":"admin@example.com"}`)
			return
		}
		http.NotFound(w, r)
	})
	c, _ := newTestClient(t, srv.URL, "key")
	if err := c.CheckAuth(context.Background()); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Version(context.Background()); !errors.Is(err, ErrNotFound) {
		t.Errorf("version on a server without it: %v, want ErrNotFound", err)
	}
}

func TestCheckAuthRejectsNonLabelStudio(t *testing.T) {
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		_, _ = io.WriteString(w, "<html>Welcome to some other app</html>")
	})
	c, _ := newTestClient(t, srv.URL, "key")
	err := c.CheckAuth(context.Background())
	want := "GET /api/current-user/whoami: 200 response is not the expected JSON (text/html): malformed JSON"
	if err == nil || err.Error() != want {
		t.Fatalf("error = %v, want %q", err, want)
	}
}

func TestListProjectsWalksPages(t *testing.T) {
	const total = 250
	srv := newFakeServer(t, func(w http.ResponseWriter, r *http.Request) {
		pageNumber, _ := strconv.Atoi(r.URL.Query().Get("page"))
		size, _ := strconv.Atoi(r.URL.Query().Get("page_size"))
		var results []string
		for id := (pageNumber-1)*size + 1; id <= min(pageNumber*size, total); id++ {
			results = append(results, fmt.Sprintf(`{"id":%d,"title":"p%d"}`, id, id))
		}
		next := "null"
		if pageNumber*size < total {
			next = fmt.Sprintf(`"http://other-host/api/projects/?page=%d"`, pageNumber+1)
		}
		writeJSON(w, http.StatusOK, fmt.Sprintf(`{"count":%d,"next":%s,"previous":null,"results":[%s]}`,
			total, next, strings.Join(results, ",")))
	})
	c, _ := newTestClient(t, srv.URL, "key")
	projects, err := c.ListProjects(context.Background(), ProjectFilter{})
	if err != nil {
		t.Fatal(err)
	}
	if len(projects) != total {
		t.Fatalf("%d projects, want %d", len(projects), total)
	}
	for i, p := range projects {
		if p.ID != int64(i+1) || p.Title != fmt.Sprintf("p%d", i+1) {
			t.Fatalf("project %d = %+v", i, p)
		}
	}
	var queries []string
	for _, r := range srv.recorded() {
		queries = append(queries, r.Path+"?"+r.RawQuery)
	}
	want := []string{
		"/api/projects/?page=1&page_size=100",
		"/api/projects/?page=2&page_size=100",
		"/api/projects/?page=3&page_size=100",
	}
	if !reflect.DeepEqual(queries, want) {
		t.Errorf("requests = %q, want %q", queries, want)
	}
}

func TestTLS(t *testing.T) {
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, `{"id":1}`)
	}))
	srv.Config.ErrorLog = log.New(io.Discard, "", 0) // the rejected handshake is expected
	srv.StartTLS()
	defer srv.Close()
	caPEM := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: srv.Certificate().Raw})

	trusted, _ := newTestClient(t, srv.URL, "key", func(cfg *Config) { cfg.CACertPEM = caPEM })
	if err := trusted.CheckAuth(context.Background()); err != nil {
		t.Errorf("with the server's CA: %v", err)
	}

	untrusted, _ := newTestClient(t, srv.URL, "key", func(cfg *Config) { cfg.MaxRetries = -1 })
	err := untrusted.CheckAuth(context.Background())
	if err == nil || !strings.Contains(err.Error(), "certificate") {
		t.Errorf("without the CA: %v, want a certificate error", err)
	}

	insecure, _ := newTestClient(t, srv.URL, "key", func(cfg *Config) { cfg.InsecureSkipVerify = true })
	if err := insecure.CheckAuth(context.Background()); err != nil {
		t.Errorf("with InsecureSkipVerify: %v", err)
	}

	if _, err := New(Config{URL: srv.URL, APIKey: "key", CACertPEM: []byte("not a certificate")}); err == nil ||
		!strings.Contains(err.Error(), "no PEM certificate") {
		t.Errorf("New with a bad CA bundle: %v", err)
	}
}
