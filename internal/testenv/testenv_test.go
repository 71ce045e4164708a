package testenv

import (
	"encoding/json"
	"io"
	"net/http"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// getJSON sends an authenticated GET and decodes the JSON answer.
func getJSON(t *testing.T, env *Env, authorization, path string) (int, map[string]any) {
	t.Helper()
	req, err := http.NewRequestWithContext(t.Context(), http.MethodGet, env.URL+path, http.NoBody)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", authorization)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	data, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	var body map[string]any
	if err := json.Unmarshal(data, &body); err != nil {
		t.Fatalf("GET %s: not JSON: %s", path, data)
	}
	return resp.StatusCode, body
}

func TestStartServesTheVersionWithTheLegacyToken(t *testing.T) {
	env := Start(t, Options{})
	status, body := getJSON(t, env, "Token "+env.APIKey, "/api/version")
	if status != http.StatusOK {
		t.Fatalf("GET /api/version: status %d: %v", status, body)
	}
	if release, _ := body["release"].(string); release == "" {
		t.Errorf("GET /api/version: no release in %v", body)
	}
}

func TestStartWithPATHandsOutARefreshToken(t *testing.T) {
	env := Start(t, Options{UsePAT: true})
	if env.Real {
		t.Skip("the token type of a real server is whatever LABEL_STUDIO_API_KEY holds")
	}
	if parts := strings.Split(env.APIKey, "."); len(parts) != 3 {
		t.Fatalf("APIKey %d dot-separated parts, want a JWT", len(parts))
	}
	req, err := http.NewRequestWithContext(t.Context(), http.MethodPost, env.URL+"/api/token/refresh/",
		strings.NewReader(`{"refresh":"`+env.APIKey+`"}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer func() { _ = resp.Body.Close() }()
	var refreshed struct {
		Access string `json:"access"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&refreshed); err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("refresh: status %d, %v", resp.StatusCode, err)
	}
	if status, body := getJSON(t, env, "Bearer "+refreshed.Access, "/api/projects/"); status != http.StatusOK {
		t.Errorf("GET /api/projects/ with the access token: status %d: %v", status, body)
	}
}

func TestDevClientCountsRequests(t *testing.T) {
	env := Start(t, Options{})
	dev := env.Dev(t)
	dev.ResetRequestCounts(t)
	for range 2 {
		getJSON(t, env, "Token "+env.APIKey, "/api/version")
	}
	counts := dev.RequestCounts(t)
	var total int
	for route, n := range counts {
		if strings.Contains(route, "/api/version") {
			total += n
		}
	}
	if total != 2 {
		t.Errorf("requests to /api/version counted %d times, want 2 (counts %v)", total, counts)
	}
	dev.ResetRequestCounts(t)
	if counts := dev.RequestCounts(t); len(counts) != 0 {
		t.Errorf("counts after reset = %v, want none", counts)
	}
}

func TestLocalDirIsBelowTheDocumentRoot(t *testing.T) {
	env := Start(t, Options{})
	dir := LocalDir(t, env, "images/a")
	if rel, err := filepath.Rel(env.DocumentRoot, dir); err != nil || rel != filepath.Join("images", "a") {
		t.Fatalf("LocalDir = %s, want images/a under %s", dir, env.DocumentRoot)
	}
	WriteFile(t, dir, "x/1.json", []byte(`{"a":1}`))
	if got := string(ReadFile(t, dir, "x/1.json")); got != `{"a":1}` {
		t.Errorf("ReadFile = %q", got)
	}
	if _, err := os.Stat(filepath.Join(dir, "x", "1.json")); err != nil {
		t.Error(err)
	}
}

func TestS3SeedsAndReadsABucket(t *testing.T) {
	s3 := S3(t)
	bucket := s3.NewBucket(t)
	s3.Put(t, bucket, "a/1.json", []byte(`{"n":1}`))
	s3.Put(t, bucket, "a/b/2.json", []byte(`{"n":2}`))
	s3.Put(t, bucket, "c.json", []byte(`{}`))
	if got, want := s3.Keys(t, bucket, "a/"), []string{"a/1.json", "a/b/2.json"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Keys(a/) = %v, want %v", got, want)
	}
	if got := string(s3.Get(t, bucket, "a/b/2.json")); got != `{"n":2}` {
		t.Errorf("Get = %q", got)
	}
	if _, found := s3.Lookup(t, bucket, "missing"); found {
		t.Error("Lookup(missing) found an object")
	}
}

func TestGCSSeedsAndReadsABucket(t *testing.T) {
	gcs := GCS(t)
	bucket := gcs.NewBucket(t)
	gcs.Put(t, bucket, "a/1.json", []byte(`{"n":1}`))
	gcs.Put(t, bucket, "b.json", []byte(`{}`))
	if got, want := gcs.Keys(t, bucket, ""), []string{"a/1.json", "b.json"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Keys = %v, want %v", got, want)
	}
	if got := string(gcs.Get(t, bucket, "a/1.json")); got != `{"n":1}` {
		t.Errorf("Get = %q", got)
	}
	if _, found := gcs.Lookup(t, bucket, "missing"); found {
		t.Error("Lookup(missing) found an object")
	}
}

func TestAzureSeedsAndReadsAContainer(t *testing.T) {
	az := Azure(t)
	if !strings.Contains(az.Endpoint, "{account}") {
		t.Errorf("Endpoint %q has no {account} placeholder", az.Endpoint)
	}
	c := az.NewContainer(t)
	az.Put(t, c, "a/1.json", []byte(`{"n":1}`))
	az.Put(t, c, "b.json", []byte(`{}`))
	if got, want := az.Keys(t, c, "a/"), []string{"a/1.json"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Keys(a/) = %v, want %v", got, want)
	}
	if got := string(az.Get(t, c, "a/1.json")); got != `{"n":1}` {
		t.Errorf("Get = %q", got)
	}
	if _, found := az.Lookup(t, c, "missing"); found {
		t.Error("Lookup(missing) found a blob")
	}
}

func TestRedisSetsAndListsKeys(t *testing.T) {
	r := Redis(t)
	prefix := UniqueName(t, "lstest:")
	r.Set(t, 3, prefix+":a", `{"n":1}`)
	r.Set(t, 3, prefix+":b", `{"n":2}`)
	if got, want := r.Keys(t, 3, prefix+"*"), []string{prefix + ":a", prefix + ":b"}; !reflect.DeepEqual(got, want) {
		t.Errorf("Keys = %v, want %v", got, want)
	}
	if got := r.Keys(t, 4, prefix+"*"); len(got) != 0 {
		t.Errorf("db 4 holds %v, want nothing (databases are separate)", got)
	}
	if v, ok := r.Get(t, 3, prefix+":a"); !ok || v != `{"n":1}` {
		t.Errorf("Get = %q, %v", v, ok)
	}
}

func TestRedisExclusiveDBIsEmptyAndHeldUntilTheTestEnds(t *testing.T) {
	r := Redis(t)
	var first int
	var key, holder string
	t.Run("holder", func(t *testing.T) {
		first = r.ExclusiveDB(t)
		key = claimKey(first)
		var held bool
		if holder, held = r.Get(t, claimsDB, key); !held {
			t.Fatalf("no claim recorded under %s", key)
		}
		r.Set(t, first, "left-behind", "1")
		if second := r.ExclusiveDB(t); second == first {
			t.Fatalf("two claims got the same database %d", first)
		}
	})
	// Other test runs may claim it the moment it is free, so compare holders.
	if now, held := r.Get(t, claimsDB, key); held && now == holder {
		t.Errorf("database %d is still claimed after its test ended", first)
	}
	db := r.ExclusiveDB(t)
	if keys := r.Keys(t, db, "*"); len(keys) != 0 {
		t.Errorf("the claimed database %d holds %v, want it empty", db, keys)
	}
}
