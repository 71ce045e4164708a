package devserver

import (
	"net/http"
	"strings"
	"testing"
)

// Behaviour 1: routes, methods, status codes and trailing slashes (API.md 1).

func TestTrailingSlashForms(t *testing.T) {
	ts := newTestServer(t, nil)
	project := ts.createProject("")
	created := ts.createStorage("s3", dirImport, map[string]any{"project": project})
	id := int64(created["id"].(float64))

	// The no-slash form of a slash pattern is re-dispatched, POST bodies
	// included.
	noSlash := ts.mustDo(http.MethodPost, "/api/storages/s3", map[string]any{"project": project, "title": "via no slash"}, http.StatusCreated)
	if got := ts.object(noSlash)["title"]; got != "via no slash" {
		t.Errorf("POST /api/storages/s3 lost the body: title %v", got)
	}
	ts.mustDo(http.MethodGet, "/api/storages/s3?project=1", nil, http.StatusOK)
	ts.mustDo(http.MethodGet, "/api/version", nil, http.StatusOK)
	ts.mustDo(http.MethodPost, "/api/projects", map[string]any{"title": "no slash"}, http.StatusCreated)

	// Never the reverse: a slash added to a slash-less pattern is 404, as
	// Django's HTML page.
	for _, p := range []string{
		"/api/storages/export/s3/?project=1",
		"/api/storages/s3/" + itoa(id) + "/",
		"/api/storages/s3/" + itoa(id) + "/sync/",
		"/api/storages/s3/validate/",
		"/api/storages/s3/abc",
		"/api/storages/nosuchkind/",
		"/api/storages/s3s/",
		"/no/such/url",
	} {
		r := ts.do(http.MethodGet, p, nil)
		if r.status != http.StatusNotFound || !strings.Contains(r.header.Get("Content-Type"), "text/html") {
			t.Errorf("GET %s: %d %s, want Django's HTML 404", p, r.status, r.header.Get("Content-Type"))
		}
	}
}

func TestStorageRoutesStatusCodes(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.SyncOnTargetStorageCreation = false })
	project := ts.createProject("")
	for _, kind := range []string{"s3", "gcs", "azure", "redis", "localfiles"} {
		for _, dir := range []string{dirImport, dirExport} {
			created := ts.createStorage(kind, dir, map[string]any{"project": project, "title": kind})
			if created["type"] != kind {
				t.Errorf("%s %s: type %v", kind, dir, created["type"])
			}
			id := int64(created["id"].(float64))
			ts.mustDo(http.MethodGet, storagePath(kind, dir, id, ""), nil, http.StatusOK)
			ts.mustDo(http.MethodPatch, storagePath(kind, dir, id, ""), map[string]any{"title": "renamed"}, http.StatusOK)
			ts.mustDo(http.MethodPut, storagePath(kind, dir, id, ""), map[string]any{"project": project, "title": "put", "path": "/x"}, http.StatusOK)
			ts.mustDo(http.MethodPost, storagePath(kind, dir, 0, "validate"), map[string]any{"project": project, "path": "/x"}, http.StatusOK)
			ts.mustDo(http.MethodPost, storagePath(kind, dir, id, "sync"), nil, http.StatusOK)
			list := ts.mustDo(http.MethodGet, storagePath(kind, dir, 0, "")+"?project="+itoa(project), nil, http.StatusOK)
			if !strings.HasPrefix(string(list.body), "[") {
				t.Errorf("%s %s list is not an array: %s", kind, dir, list.body)
			}
			ts.mustDo(http.MethodDelete, storagePath(kind, dir, id, ""), nil, http.StatusNoContent)
			env := ts.envelope(ts.do(http.MethodGet, storagePath(kind, dir, id, ""), nil), http.StatusNotFound)
			if want := "No " + ts.srv.kindSpec(kind).modelName(dir) + " matches the given query."; env["detail"] != want {
				t.Errorf("404 detail %q, want %q", env["detail"], want)
			}
		}
	}
	env := ts.envelope(ts.do(http.MethodPost, "/api/storages/s3/1", nil), http.StatusMethodNotAllowed)
	if env["detail"] != `Method "POST" not allowed.` {
		t.Errorf("405 detail %q", env["detail"])
	}
}

func TestNotFoundModelNames(t *testing.T) {
	ts := newTestServer(t, nil)
	for path, want := range map[string]string{
		"/api/storages/s3/999":                "No S3ImportStorage matches the given query.",
		"/api/storages/export/gcs/999":        "No GCSExportStorage matches the given query.",
		"/api/storages/azure/999":             "No AzureBlobImportStorage matches the given query.",
		"/api/storages/export/redis/999":      "No RedisExportStorage matches the given query.",
		"/api/storages/localfiles/999":        "No LocalFilesImportStorage matches the given query.",
		"/api/projects/999/":                  "No Project matches the given query.",
		"/api/tasks/999/":                     "No Task matches the given query.",
		"/api/storages/export/localfiles/999": "No LocalFilesExportStorage matches the given query.",
	} {
		if env := ts.envelope(ts.do(http.MethodGet, path, nil), http.StatusNotFound); env["detail"] != want {
			t.Errorf("GET %s: detail %q, want %q", path, env["detail"], want)
		}
	}
}

func TestListRequiresProject(t *testing.T) {
	ts := newTestServer(t, nil)
	for _, p := range []string{"/api/storages/s3/", "/api/storages/export/s3"} {
		got := ts.fieldErrors(ts.do(http.MethodGet, p, nil), "non_field_errors")
		if got[0] != `query parameter "project" is required` {
			t.Errorf("GET %s: %v", p, got)
		}
		env := ts.envelope(ts.do(http.MethodGet, p+"?project=4242", nil), http.StatusNotFound)
		if env["detail"] != "No Project matches the given query." {
			t.Errorf("GET %s?project=4242: %v", p, env["detail"])
		}
	}
}

// label_studio/io_storages/all_api.py (drf-spectacular version): both
// all-kinds lists catch each kind's error and count it as [], so a missing
// or unknown project answers 200 [] in both directions (the older drf_yasg
// export list answered 500).
func TestAllKindsListWithoutProject(t *testing.T) {
	ts := newTestServer(t, nil)
	for _, p := range []string{"/api/storages/", "/api/storages/export"} {
		for _, q := range []string{"", "?project=4242"} {
			var items []any
			ts.decode(ts.mustDo(http.MethodGet, p+q, nil, http.StatusOK), &items)
			if len(items) != 0 {
				t.Errorf("GET %s%s: %v", p, q, items)
			}
		}
	}
}

func TestStorageTypes(t *testing.T) {
	names := func(ts *testServer, p string) string {
		var list []struct{ Name, Title string }
		ts.decode(ts.mustDo(http.MethodGet, p, nil, http.StatusOK), &list)
		var out []string
		for _, item := range list {
			out = append(out, item.Name)
		}
		return strings.Join(out, ",")
	}
	community := newTestServer(t, nil)
	for _, p := range []string{"/api/storages/types", "/api/storages/export/types"} {
		if got := names(community, p); got != "s3,gcs,azure,redis,localfiles" {
			t.Errorf("community %s: %s", p, got)
		}
	}
	enterprise := newTestServer(t, func(c *Config) { c.Edition = "enterprise"; c.EnableLocalFilesStorage = false })
	if got := names(enterprise, "/api/storages/types"); got != "s3,s3s,gcs,azure,redis,gcswif,gcs_sa,azure_spi,databricks" {
		t.Errorf("enterprise without local files: %s", got)
	}
	r := enterprise.do(http.MethodGet, "/api/storages/localfiles/?project=1", nil)
	if r.status != http.StatusNotFound {
		t.Errorf("localfiles routes with ENABLE_LOCAL_FILES_STORAGE=false: %d", r.status)
	}
}

func TestAllKindsList(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.SyncOnTargetStorageCreation = false })
	project := ts.createProject("")
	other := ts.createProject("")
	ts.createStorage("s3", dirImport, map[string]any{"project": project})
	ts.createStorage("redis", dirImport, map[string]any{"project": project, "password": "pw"})
	ts.createStorage("gcs", dirImport, map[string]any{"project": other})
	ts.createStorage("azure", dirExport, map[string]any{"project": project})

	var items []map[string]any
	ts.decode(ts.mustDo(http.MethodGet, "/api/storages/?project="+itoa(project), nil, http.StatusOK), &items)
	if len(items) != 2 || items[0]["type"] != "s3" || items[1]["type"] != "redis" {
		t.Fatalf("import list of all kinds: %v", items)
	}
	if _, leaked := items[1]["password"]; leaked {
		t.Errorf("redis password in the all-kinds list")
	}
	ts.decode(ts.mustDo(http.MethodGet, "/api/storages/export?project="+itoa(project), nil, http.StatusOK), &items)
	if len(items) != 1 || items[0]["type"] != "azure" {
		t.Errorf("export list of all kinds: %v", items)
	}
}

func TestVersionAndWhoAmI(t *testing.T) {
	ts := newTestServer(t, func(c *Config) { c.Version = "1.24.0" })
	for _, p := range []string{"/api/version/", "/api/version"} {
		v := ts.object(ts.mustDo(http.MethodGet, p, nil, http.StatusOK))
		if v["release"] != "1.24.0" || v["edition"] != "Community" {
			t.Errorf("GET %s: %v", p, v)
		}
	}
	who := ts.object(ts.mustDo(http.MethodGet, "/api/current-user/whoami", nil, http.StatusOK))
	if who["id"] != float64(bootstrapUserID) || who["email"] != bootstrapUserEmail {
		t.Errorf("whoami: %v", who)
	}
	anonymous := ts.request(http.MethodGet, "/api/current-user/whoami", nil, map[string]string{"Authorization": ""})
	if anonymous.status != http.StatusUnauthorized {
		t.Errorf("whoami without credentials: %d", anonymous.status)
	}
}

// core/utils/common.py custom_exception_handler (label_studio's
// test_exception.py): an exception DRF does not handle is a 500 whose detail
// is "Unknown error"; with DEBUG and DEBUG_MODAL_EXCEPTIONS (the defaults)
// exc_info holds the traceback, else null.
func TestUncaughtExceptionEnvelope(t *testing.T) {
	for _, hidden := range []bool{false, true} {
		ts := newTestServer(t, func(c *Config) { c.HideExceptionInfo = hidden })
		// Django's int lookup on a non-number in ?ids= is not caught.
		r := ts.do(http.MethodGet, "/api/projects/?ids=x", nil)
		var env map[string]any
		ts.decode(r, &env)
		tb, _ := env["exc_info"].(string)
		if r.status != http.StatusInternalServerError || env["detail"] != "Unknown error" {
			t.Errorf("hidden=%v: %d %v", hidden, r.status, env["detail"])
		}
		wantEnd := "ValueError: Field 'id' expected a number but got 'x'.\n"
		if hidden && env["exc_info"] != nil || !hidden && (!strings.HasPrefix(tb, "Traceback (most recent call last):\n") || !strings.HasSuffix(tb, wantEnd)) {
			t.Errorf("hidden=%v: exc_info %q", hidden, env["exc_info"])
		}
	}
}
