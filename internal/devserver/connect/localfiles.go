package connect

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"unicode/utf8"
)

func init() { registry["localfiles"] = newLocalFilesConnector }

type localFilesConnector struct{ env Env }

func newLocalFilesConnector(env Env) Connector { return localFilesConnector{env: env} }

// documentRoot is LOCAL_FILES_DOCUMENT_ROOT, "/" by default.
func (c localFilesConnector) documentRoot() string {
	if c.env.LocalFilesDocumentRoot == "" {
		return "/"
	}
	return filepath.Clean(c.env.LocalFilesDocumentRoot)
}

// Validate applies Label Studio's path rules (API.md 4.1 and 12), in its
// order and with its messages. Both directions check the same.
func (c localFilesConnector) Validate(_ context.Context, s Settings, _ Direction) error {
	path := s.String("path")
	if strings.TrimSpace(path) == "" {
		return &Error{Message: "Path must be set for Local Files storage"}
	}
	if _, err := os.Stat(path); err != nil {
		return &Error{Message: fmt.Sprintf("Path %s does not exist", path)}
	}
	root := c.documentRoot()
	clean := filepath.Clean(path)
	if clean == root {
		return &Error{Message: fmt.Sprintf(
			"Absolute local path '%s' cannot be the same as LOCAL_FILES_DOCUMENT_ROOT='%s' by security reasons. "+
				"Please add a subdirectory.", path, c.env.LocalFilesDocumentRoot)}
	}
	if !isBelow(clean, root) {
		// Current Label Studio's wording (io_storages/localfiles/models.py,
		// asserted by its test_localfiles validation tests); older releases
		// said "Path … must start with LOCAL_FILES_DOCUMENT_ROOT=… and must be
		// a child, e.g.: …".
		return &Error{Message: fmt.Sprintf(
			"Absolute local path '%s' must be a subdirectory of LOCAL_FILES_DOCUMENT_ROOT='%s'.",
			path, c.env.LocalFilesDocumentRoot)}
	}
	if !c.env.LocalFilesServingEnabled {
		return &Error{Message: "Serving local files can be dangerous, so it's disabled by default. " +
			"You can enable it with LOCAL_FILES_SERVING_ENABLED environment variable, " +
			"please check docs: https://labelstud.io/guide/storage.html#Local-storage"}
	}
	return nil
}

// isBelow reports whether path lies strictly inside dir (both cleaned).
func isBelow(path, dir string) bool {
	rel, err := filepath.Rel(dir, path)
	return err == nil && rel != "." && rel != ".." && !strings.HasPrefix(rel, "../") && !filepath.IsAbs(rel)
}

// List returns the files directly in path, or below it with recursive_scan,
// sorted by basename as Label Studio does; the key is the file's path.
func (c localFilesConnector) List(_ context.Context, s Settings) ([]Object, error) {
	dir := s.String("path")
	var objects []Object
	// add keeps regular files; like Python's is_file() it follows symlinks
	// and skips broken ones.
	add := func(path string) error {
		info, err := os.Stat(path)
		if errors.Is(err, fs.ErrNotExist) {
			return nil
		}
		if err != nil {
			return err
		}
		if info.Mode().IsRegular() {
			objects = append(objects, Object{Key: path, Size: info.Size()})
		}
		return nil
	}
	if s.Bool("recursive_scan") {
		err := filepath.WalkDir(dir, func(path string, entry fs.DirEntry, err error) error {
			if err != nil {
				return err
			}
			if entry.IsDir() {
				return nil
			}
			return add(path)
		})
		if err != nil {
			return nil, err
		}
	} else {
		entries, err := os.ReadDir(dir)
		if err != nil {
			return nil, err
		}
		for _, entry := range entries {
			if err := add(filepath.Join(dir, entry.Name())); err != nil {
				return nil, err
			}
		}
	}
	sort.SliceStable(objects, func(i, j int) bool {
		bi, bj := filepath.Base(objects[i].Key), filepath.Base(objects[j].Key)
		if bi != bj {
			return bi < bj
		}
		return objects[i].Key < objects[j].Key
	})
	return objects, nil
}

// Read reads a listed file; keys outside the storage's path are refused.
func (c localFilesConnector) Read(_ context.Context, s Settings, key string) ([]byte, error) {
	if !isBelow(filepath.Clean(key), filepath.Clean(s.String("path"))) {
		return nil, fmt.Errorf("%s is not inside %s", key, s.String("path"))
	}
	return os.ReadFile(key)
}

// Write stores {path}/{key} as JSON indented by 2 with non-ASCII escaped,
// which is what Python's json.dump(..., indent=2) writes (API.md 6.5).
// Data that is not JSON is written unchanged.
func (c localFilesConnector) Write(_ context.Context, s Settings, key string, data []byte) error {
	target, err := c.exportPath(s, key)
	if err != nil {
		return err
	}
	return os.WriteFile(target, pythonIndentedJSON(data), 0o644)
}

// Delete removes an exported file; a missing file is not an error.
func (c localFilesConnector) Delete(_ context.Context, s Settings, key string) error {
	target, err := c.exportPath(s, key)
	if err != nil {
		return err
	}
	if err := os.Remove(target); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}

func (c localFilesConnector) exportPath(s Settings, key string) (string, error) {
	dir := filepath.Clean(s.String("path"))
	target := filepath.Join(dir, key)
	if !isBelow(target, dir) {
		return "", fmt.Errorf("export key %q leaves %s", key, dir)
	}
	return target, nil
}

// BlobURL is the link Label Studio serves a file under: the path relative
// to the document root, URL-quoted (API.md 6.4).
func (c localFilesConnector) BlobURL(_ Settings, key string) string {
	rel, err := filepath.Rel(c.documentRoot(), filepath.Clean(key))
	if err != nil {
		rel = key
	}
	return "/data/local-files/?d=" + pythonQuote(filepath.ToSlash(rel))
}

// pythonQuote is urllib.parse.quote(s): everything but letters, digits,
// "_.-~" and "/" is percent-encoded as UTF-8.
func pythonQuote(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		ch := s[i]
		if ch >= 'a' && ch <= 'z' || ch >= 'A' && ch <= 'Z' || ch >= '0' && ch <= '9' || strings.IndexByte("_.-~/", ch) >= 0 {
			b.WriteByte(ch)
			continue
		}
		fmt.Fprintf(&b, "%%%02X", ch)
	}
	return b.String()
}

// pythonIndentedJSON re-indents JSON with 2 spaces and escapes non-ASCII
// characters as \uXXXX (surrogate pairs beyond the BMP), like Python's
// json.dump with indent=2 and the default ensure_ascii.
func pythonIndentedJSON(data []byte) []byte {
	var indented bytes.Buffer
	if err := json.Indent(&indented, data, "", "  "); err != nil {
		return data
	}
	var out bytes.Buffer
	for rest := indented.Bytes(); len(rest) > 0; {
		r, size := utf8.DecodeRune(rest)
		switch {
		case r < utf8.RuneSelf:
			out.WriteByte(rest[0])
		case r > 0xFFFF:
			r -= 0x10000
			fmt.Fprintf(&out, `\u%04x\u%04x`, 0xD800+(r>>10), 0xDC00+(r&0x3FF))
		default:
			fmt.Fprintf(&out, `\u%04x`, r)
		}
		rest = rest[size:]
	}
	return out.Bytes()
}
