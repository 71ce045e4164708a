package devserver

import (
	"net/http"
	"os"
	"reflect"
	"strings"
	"testing"
	"time"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv/mlbackend"
)

// Behaviour 8: state survives a restart with DataDir.

func TestStateSurvivesRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.DataDir = dir
	backend := newFakeBackend()
	backend.put("a.json", `{"text":"a"}`)

	first := startTestServer(t, cfg, backend)
	project := first.createProject(imageConfig)
	storage := first.createStorage("redis", dirImport, map[string]any{"project": project, "password": "kept", "title": "r"})
	id := int64(storage["id"].(float64))
	first.sync("redis", dirImport, id)
	pat, err := first.srv.MintPersonalAccessToken()
	if err != nil {
		t.Fatal(err)
	}
	first.http.Close()
	if err := first.srv.Close(); err != nil {
		t.Fatal(err)
	}

	second := startTestServer(t, cfg, backend)
	got := second.object(second.mustDo(http.MethodGet, storagePath("redis", dirImport, id, ""), nil, http.StatusOK))
	if got["title"] != "r" || got["status"] != statusCompleted || got["last_sync_count"] != float64(1) {
		t.Errorf("storage after restart: %v", got)
	}
	if n := len(second.tasksOf(project)); n != 1 {
		t.Errorf("%d tasks after restart, want 1", n)
	}
	second.mustDo(http.MethodPost, "/api/token/refresh/", map[string]any{"refresh": pat}, http.StatusOK)
	// The secret survived: the sync's connection test sees it, and the
	// object linked before the restart is not imported again.
	resynced := second.sync("redis", dirImport, id)
	if resynced["last_sync_count"] != float64(0) || resynced["meta"].(map[string]any)["tasks_existed"] != float64(1) {
		t.Errorf("re-sync after restart: %v", resynced)
	}
	seen := backend.validations()
	if seen[len(seen)-1]["password"] != "kept" {
		t.Errorf("password lost across the restart")
	}
	// Ids keep increasing.
	if next := second.createProject(""); next <= project {
		t.Errorf("project id %d after restart, want > %d", next, project)
	}
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if strings.Contains(e.Name(), ".tmp") {
			t.Errorf("temporary file left behind: %s", e.Name())
		}
	}
}

func TestRunningJobVanishesOnRestart(t *testing.T) {
	dir := t.TempDir()
	cfg := DefaultConfig()
	cfg.DataDir = dir
	cfg.SyncMode = SyncQueued
	cfg.SyncObjectDelay = time.Hour // Close must interrupt the delay
	backend := newFakeBackend()
	backend.put("a.json", `{"text":"a"}`)

	first := startTestServer(t, cfg, backend)
	project := first.createProject("")
	id := int64(first.createStorage("s3", dirImport, map[string]any{"project": project})["id"].(float64))
	first.sync("s3", dirImport, id)
	first.waitStatus("s3", dirImport, id, statusInProgress)
	first.http.Close()
	if err := first.srv.Close(); err != nil {
		t.Fatal(err)
	}

	second := startTestServer(t, cfg, backend)
	var list []map[string]any
	second.decode(second.mustDo(http.MethodGet, "/api/storages/s3/?project="+itoa(project), nil, http.StatusOK), &list)
	if list[0]["status"] != statusFailed || !strings.Contains(list[0]["traceback"].(string), "job was not found") {
		t.Errorf("a job running at shutdown: %v %v", list[0]["status"], list[0]["traceback"])
	}
}

func TestNewRejectsBadConfig(t *testing.T) {
	for _, change := range []func(*Config){
		func(c *Config) { c.Edition = "pro" },
		func(c *Config) { c.SyncMode = "eventually" },
		func(c *Config) { c.SyncObjectDelay = -time.Second },
	} {
		cfg := DefaultConfig()
		change(&cfg)
		if _, err := New(cfg); err == nil {
			t.Errorf("New accepted %+v", cfg)
		}
	}
	dir := t.TempDir()
	if err := os.WriteFile(dir+"/"+snapshotName, []byte("{not json"), 0o600); err != nil {
		t.Fatal(err)
	}
	cfg := DefaultConfig()
	cfg.DataDir = dir
	if _, err := New(cfg); err == nil {
		t.Errorf("New accepted a corrupt snapshot")
	}
}

func TestZeroConfigDefaults(t *testing.T) {
	srv, err := New(Config{})
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = srv.Close() }()
	c := srv.cfg
	if c.Version != "1.23.2" || c.Edition != "community" || c.AccessTokenTTL != 5*time.Minute || c.SyncMode != SyncInline ||
		c.SyncWorkers != 4 || c.InProgressTimer != 5*time.Second || c.LocalFilesDocumentRoot != "/" {
		t.Errorf("defaults not applied: %+v", c)
	}
}

// ML backends (their password included) and views, filter groups and all,
// survive a restart.
func TestMLBackendsAndViewsSurviveRestart(t *testing.T) {
	cfg := DefaultConfig()
	cfg.DataDir = t.TempDir()
	model := mlbackend.Start(t, mlbackend.Config{BasicAuthUser: "u", BasicAuthPass: "p"})
	first := startTestServer(t, cfg, newFakeBackend())
	project := first.createProject(imageConfig)
	ml := first.createML(map[string]any{"url": model.URL(), "project": project, "auth_method": "BASIC_AUTH", "basic_auth_user": "u", "basic_auth_pass": "p"})
	view := first.object(first.mustDo(http.MethodPost, "/api/dm/views/", map[string]any{"project": project,
		"data": map[string]any{"title": "Cats", "filters": viewFilters(imageFilter)}}, http.StatusCreated))
	first.http.Close()
	if err := first.srv.Close(); err != nil {
		t.Fatal(err)
	}

	second := startTestServer(t, cfg, newFakeBackend())
	// update_state runs with the stored password: still connected.
	if got := second.object(second.mustDo(http.MethodGet, mlPath(ml["id"]), nil, http.StatusOK)); got["state"] != "CO" || got["basic_auth_pass_is_set"] != true {
		t.Errorf("ML backend after restart: %v", got)
	}
	if got := second.object(second.mustDo(http.MethodGet, viewPath(view["id"]), nil, http.StatusOK)); !reflect.DeepEqual(got["data"], view["data"]) {
		t.Errorf("view after restart: %v, want %v", got["data"], view["data"])
	}
}
