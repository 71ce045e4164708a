package connect_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver/connect"
)

// localRoot returns a document root with a "data" directory below it.
func localRoot(t *testing.T) (root, data string) {
	t.Helper()
	root, err := filepath.EvalSymlinks(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	data = filepath.Join(root, "data")
	if err := os.MkdirAll(data, 0o755); err != nil {
		t.Fatal(err)
	}
	return root, data
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestLocalFilesValidate(t *testing.T) {
	root, data := localRoot(t)
	outside := t.TempDir()
	env := connect.Env{LocalFilesServingEnabled: true, LocalFilesDocumentRoot: root}
	ctx := context.Background()

	tests := []struct {
		name    string
		env     connect.Env
		path    any
		message string
	}{
		{"subdirectory", env, data, ""},
		{"no path", env, nil, "Path must be set for Local Files storage"},
		{"empty path", env, "", "Path must be set for Local Files storage"},
		{"missing path", env, root + "/nope", "Path " + root + "/nope does not exist"},
		{"the document root itself", env, root, "Absolute local path '" + root + "' cannot be the same as " +
			"LOCAL_FILES_DOCUMENT_ROOT='" + root + "' by security reasons. Please add a subdirectory."},
		// label_studio/io_storages/localfiles: "must be a subdirectory of LOCAL_FILES_DOCUMENT_ROOT".
		{"outside the document root", env, outside, "Absolute local path '" + outside + "' must be a subdirectory of " +
			"LOCAL_FILES_DOCUMENT_ROOT='" + root + "'."},
		{"serving disabled", connect.Env{LocalFilesDocumentRoot: root}, data, "Serving local files can be dangerous, " +
			"so it's disabled by default. You can enable it with LOCAL_FILES_SERVING_ENABLED environment variable, " +
			"please check docs: https://labelstud.io/guide/storage.html#Local-storage"},
		{"default document root /", connect.Env{LocalFilesServingEnabled: true}, data, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			for _, dir := range []connect.Direction{connect.Import, connect.Export} {
				err := connector(t, "localfiles", tt.env).Validate(ctx, connect.Settings{"path": tt.path}, dir)
				if tt.message == "" {
					if err != nil {
						t.Errorf("%s: %v", dir, err)
					}
					continue
				}
				wantError(t, err, tt.message, false)
			}
		})
	}
}

func TestLocalFilesList(t *testing.T) {
	root, data := localRoot(t)
	for _, name := range []string{"c.json", "b/a.json", "b/z.json", "d/e/b.json"} {
		writeFile(t, filepath.Join(data, name), "{}")
	}
	if err := os.Mkdir(filepath.Join(data, "empty"), 0o755); err != nil {
		t.Fatal(err)
	}
	c := connector(t, "localfiles", connect.Env{LocalFilesServingEnabled: true, LocalFilesDocumentRoot: root})

	wantKeys(t, keys(t, c, connect.Settings{"path": data}), filepath.Join(data, "c.json"))
	// Recursive listings are ordered by basename, not by path.
	wantKeys(t, keys(t, c, connect.Settings{"path": data, "recursive_scan": true}),
		filepath.Join(data, "b", "a.json"), filepath.Join(data, "d", "e", "b.json"),
		filepath.Join(data, "c.json"), filepath.Join(data, "b", "z.json"))

	got, err := c.Read(context.Background(), connect.Settings{"path": data}, filepath.Join(data, "b", "z.json"))
	if err != nil || string(got) != "{}" {
		t.Errorf("Read = %q, %v", got, err)
	}
	outside := filepath.Join(t.TempDir(), "secret.json")
	writeFile(t, outside, "{}")
	if _, err := c.Read(context.Background(), connect.Settings{"path": data}, outside); err == nil {
		t.Error("Read of a file outside the storage's path succeeded")
	}
}

func TestLocalFilesWriteIsPythonIndentedJSON(t *testing.T) {
	root, data := localRoot(t)
	c := connector(t, "localfiles", connect.Env{LocalFilesServingEnabled: true, LocalFilesDocumentRoot: root})
	ctx := context.Background()
	s := connect.Settings{"path": data + "/"}

	if err := c.Write(ctx, s, "42", []byte(`{"id":42,"result":[],"task":{"data":{"text":"café 😀"}}}`)); err != nil {
		t.Fatal(err)
	}
	got, err := os.ReadFile(filepath.Join(data, "42"))
	if err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"id\": 42,\n  \"result\": [],\n  \"task\": {\n    \"data\": {\n      \"text\": \"caf\\u00e9 \\ud83d\\ude00\"\n    }\n  }\n}"
	if string(got) != want {
		t.Errorf("file = %s\nwant %s", got, want)
	}
	if err := c.Write(ctx, s, "../escape", []byte(`{}`)); err == nil {
		t.Error("Write outside the storage's path succeeded")
	}
	if err := c.Delete(ctx, s, "42"); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(data, "42")); !os.IsNotExist(err) {
		t.Errorf("file still there after Delete: %v", err)
	}
	if err := c.Delete(ctx, s, "42"); err != nil {
		t.Errorf("Delete of a missing file: %v", err)
	}
}

func TestLocalFilesBlobURL(t *testing.T) {
	root, data := localRoot(t)
	c := connector(t, "localfiles", connect.Env{LocalFilesServingEnabled: true, LocalFilesDocumentRoot: root})
	got := c.BlobURL(connect.Settings{"path": data}, filepath.Join(data, "sub dir", "a&b+é.jpg"))
	if want := "/data/local-files/?d=data/sub%20dir/a%26b%2B%C3%A9.jpg"; got != want {
		t.Errorf("BlobURL = %s, want %s", got, want)
	}
}
