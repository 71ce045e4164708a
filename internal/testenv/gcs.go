package testenv

import (
	"context"
	"errors"
	"io"
	"sort"
	"strings"
	"testing"

	"cloud.google.com/go/storage"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
)

// GCSServer is the GCS emulator (fake-gcs-server) from LSTEST_GCS_ENDPOINT.
type GCSServer struct {
	Endpoint string
	client   *storage.Client
}

// GCS returns the GCS emulator; it skips (or fails, under
// LSTEST_REQUIRE_SERVICES=1) when none is configured.
func GCS(t testing.TB) *GCSServer {
	t.Helper()
	endpoint := require(t, "GCS emulator", "LSTEST_GCS_ENDPOINT")["LSTEST_GCS_ENDPOINT"]
	client, err := storage.NewClient(context.WithoutCancel(t.Context()),
		option.WithEndpoint(strings.TrimRight(endpoint, "/")+"/storage/v1/"), option.WithoutAuthentication())
	if err != nil {
		t.Fatalf("testenv: GCS client: %v", err)
	}
	t.Cleanup(func() { _ = client.Close() })
	return &GCSServer{Endpoint: endpoint, client: client}
}

// NewBucket creates a bucket with a unique name, removed with its objects
// when the test ends.
func (g *GCSServer) NewBucket(t testing.TB) string {
	t.Helper()
	bucket := UniqueName(t, "lstest-")
	if err := g.client.Bucket(bucket).Create(t.Context(), "lstest", nil); err != nil {
		t.Fatalf("testenv: create GCS bucket %s: %v", bucket, err)
	}
	t.Cleanup(func() {
		ctx := context.WithoutCancel(t.Context())
		b := g.client.Bucket(bucket)
		for _, name := range g.list(ctx, t, bucket, "") {
			if err := b.Object(name).Delete(ctx); err != nil {
				t.Errorf("testenv: delete gs://%s/%s: %v", bucket, name, err)
			}
		}
		if err := b.Delete(ctx); err != nil {
			t.Errorf("testenv: delete GCS bucket %s: %v", bucket, err)
		}
	})
	return bucket
}

// Put stores data under key.
func (g *GCSServer) Put(t testing.TB, bucket, key string, data []byte) {
	t.Helper()
	w := g.client.Bucket(bucket).Object(key).NewWriter(t.Context())
	if _, err := w.Write(data); err != nil {
		t.Fatalf("testenv: put gs://%s/%s: %v", bucket, key, err)
	}
	if err := w.Close(); err != nil {
		t.Fatalf("testenv: put gs://%s/%s: %v", bucket, key, err)
	}
}

// Keys lists every object name under prefix (recursively), sorted.
func (g *GCSServer) Keys(t testing.TB, bucket, prefix string) []string {
	t.Helper()
	return g.list(t.Context(), t, bucket, prefix)
}

func (g *GCSServer) list(ctx context.Context, t testing.TB, bucket, prefix string) []string {
	t.Helper()
	names := []string{}
	it := g.client.Bucket(bucket).Objects(ctx, &storage.Query{Prefix: prefix})
	for {
		attrs, err := it.Next()
		if errors.Is(err, iterator.Done) {
			break
		}
		if err != nil {
			t.Fatalf("testenv: list gs://%s/%s: %v", bucket, prefix, err)
		}
		names = append(names, attrs.Name)
	}
	sort.Strings(names)
	return names
}

// Get returns the object's content, failing the test when it is missing.
func (g *GCSServer) Get(t testing.TB, bucket, key string) []byte {
	t.Helper()
	data, found := g.Lookup(t, bucket, key)
	if !found {
		t.Fatalf("testenv: gs://%s/%s does not exist", bucket, key)
	}
	return data
}

// Lookup returns the object's content and whether it exists.
func (g *GCSServer) Lookup(t testing.TB, bucket, key string) ([]byte, bool) {
	t.Helper()
	r, err := g.client.Bucket(bucket).Object(key).NewReader(t.Context())
	if errors.Is(err, storage.ErrObjectNotExist) {
		return nil, false
	}
	if err != nil {
		t.Fatalf("testenv: get gs://%s/%s: %v", bucket, key, err)
	}
	defer func() { _ = r.Close() }()
	data, err := io.ReadAll(r)
	if err != nil {
		t.Fatalf("testenv: read gs://%s/%s: %v", bucket, key, err)
	}
	return data, true
}
