package testenv

import (
	"os"
	"path/filepath"
	"testing"
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
