package devserver

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver/connect"
)

// The stand-in with the real local-files connector: the path rules, blob
// URLs and export files end to end, no fakes.
func TestLocalFilesEndToEnd(t *testing.T) {
	root := t.TempDir()
	images := filepath.Join(root, "images")
	out := filepath.Join(root, "out")
	for _, d := range []string{images, out} {
		if err := os.Mkdir(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, name := range []string{"cat 1.jpg", "dog.jpg", "notes.txt"} {
		if err := os.WriteFile(filepath.Join(images, name), []byte("x"), 0o600); err != nil {
			t.Fatal(err)
		}
	}
	ts := newTestServer(t, func(c *Config) {
		c.LocalFilesServingEnabled = true
		c.LocalFilesDocumentRoot = root
		c.SyncOnTargetStorageCreation = false
	})
	ts.srv.connectorFor = connect.For
	project := ts.createProject(imageConfig)

	msg := ts.fieldErrors(ts.do(http.MethodPost, "/api/storages/localfiles/", map[string]any{"project": project, "path": root}), "non_field_errors")
	if !strings.Contains(msg[0].(string), "cannot be the same as LOCAL_FILES_DOCUMENT_ROOT") {
		t.Errorf("path equal to the root: %v", msg)
	}

	storage := ts.createStorage("localfiles", dirImport, map[string]any{"project": project, "path": images + "/", "use_blob_urls": true, "regex_filter": `.*\.jpg`})
	if storage["path"] != images {
		t.Errorf("path %v, want the trailing slash dropped", storage["path"])
	}
	done := ts.sync("localfiles", dirImport, int64(storage["id"].(float64)))
	if done["status"] != statusCompleted || done["last_sync_count"] != float64(2) {
		t.Fatalf("sync: %v %v %v", done["status"], done["last_sync_count"], done["traceback"])
	}
	var urls []string
	for _, task := range ts.tasksOf(project) {
		urls = append(urls, task["data"].(map[string]any)["image_url"].(string))
	}
	if strings.Join(urls, " ") != "/data/local-files/?d=images/cat%201.jpg /data/local-files/?d=images/dog.jpg" {
		t.Errorf("blob URLs %v", urls)
	}

	tasks := ts.tasksOf(project)
	ts.mustDo(http.MethodPost, "/_dev/tasks/"+itoa(int64(tasks[0]["id"].(float64)))+"/annotations", map[string]any{"result": []any{}}, http.StatusCreated)
	export := ts.createStorage("localfiles", dirExport, map[string]any{"project": project, "path": out})
	if got := ts.sync("localfiles", dirExport, int64(export["id"].(float64))); got["last_sync_count"] != float64(1) {
		t.Fatalf("export: %v", got)
	}
	entries, err := os.ReadDir(out)
	if err != nil || len(entries) != 1 {
		t.Fatalf("exported files %v (%v)", entries, err)
	}
}
