package testenv

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// LocalDir creates the directory name (slash-separated, relative) under the
// server's local files document root and returns its absolute path. It skips
// when the document root is unknown (a real server without
// LSTEST_LOCAL_FILES_ROOT).
func LocalDir(t testing.TB, env *Env, name string) string {
	t.Helper()
	if env.DocumentRoot == "" {
		t.Skip("local files document root unknown: set LSTEST_LOCAL_FILES_ROOT to the server's LOCAL_FILES_DOCUMENT_ROOT")
	}
	dir := filepath.Join(env.DocumentRoot, filepath.FromSlash(name))
	if err := os.MkdirAll(dir, 0o755); err != nil {
		t.Fatalf("testenv: create %s: %v", dir, err)
	}
	return dir
}

// WriteFile writes data to dir/name (slash-separated), creating the
// directories between, and returns the file's path.
func WriteFile(t testing.TB, dir, name string, data []byte) string {
	t.Helper()
	path := filepath.Join(dir, filepath.FromSlash(name))
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatalf("testenv: create %s: %v", filepath.Dir(path), err)
	}
	if err := os.WriteFile(path, data, 0o644); err != nil {
		t.Fatalf("testenv: write %s: %v", path, err)
	}
	return path
}

// ReadFile returns the content of dir/name (slash-separated).
func ReadFile(t testing.TB, dir, name string) []byte {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(name)))
	if err != nil {
		t.Fatalf("testenv: read %s/%s: %v", dir, name, err)
	}
	return data
}

// TaskFiles are the task files task-001.json … numbered from to to, each
// one task {"text": "task N"}.
func TaskFiles(from, to int) map[string]string {
	files := make(map[string]string, max(to-from+1, 0))
	for i := from; i <= to; i++ {
		files[fmt.Sprintf("task-%03d.json", i)] = fmt.Sprintf(`{"text": "task %d"}`, i)
	}
	return files
}

// WriteTaskFiles writes TaskFiles(from, to) into dir.
func WriteTaskFiles(t testing.TB, dir string, from, to int) {
	t.Helper()
	writeFiles(t, dir, TaskFiles(from, to))
}

func writeFiles(t testing.TB, dir string, files map[string]string) {
	t.Helper()
	for name, content := range files {
		WriteFile(t, dir, name, []byte(content))
	}
}

// LocalImportStorage writes files into the directory name below the
// document root (see LocalDir) and creates a local-files import storage of
// project over it.
func LocalImportStorage(t testing.TB, env *Env, c *client.Client, project int64, name string, files map[string]string) client.StorageRef {
	t.Helper()
	dir := LocalDir(t, env, name)
	writeFiles(t, dir, files)
	st, err := c.CreateStorage(t.Context(), "localfiles", client.Import, map[string]any{"project": project, "path": dir})
	if err != nil {
		t.Fatalf("testenv: create a local import storage: %v", err)
	}
	return client.StorageRef{Kind: "localfiles", Direction: client.Import, ID: st.ID}
}
