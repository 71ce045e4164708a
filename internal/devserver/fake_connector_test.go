package devserver

import (
	"context"
	"fmt"
	"sort"
	"sync"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver/connect"
)

// fakeBackend stands in for every storage server in unit tests: one flat
// object namespace, a switchable connection error, and a record of what
// the server asked of it.
type fakeBackend struct {
	mu          sync.Mutex
	objects     map[string][]byte
	written     map[string][]byte
	validateErr error
	listErr     error
	// listGate, when set, makes List wait until it is closed, so a test can
	// look at a sync while it runs.
	listGate chan struct{}
	// readHook, when set, runs before each Read (outside the lock).
	readHook  func(key string)
	validated []connect.Settings
}

func newFakeBackend() *fakeBackend {
	return &fakeBackend{objects: map[string][]byte{}, written: map[string][]byte{}}
}

func (f *fakeBackend) connectorFor(kind string, _ connect.Env) (connect.Connector, error) {
	return &fakeConnector{backend: f, kind: kind}, nil
}

func (f *fakeBackend) put(key, content string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.objects[key] = []byte(content)
}

func (f *fakeBackend) setValidateErr(err error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.validateErr = err
}

func (f *fakeBackend) validations() []connect.Settings {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]connect.Settings(nil), f.validated...)
}

func (f *fakeBackend) writtenObjects() map[string][]byte {
	f.mu.Lock()
	defer f.mu.Unlock()
	out := map[string][]byte{}
	for k, v := range f.written {
		out[k] = v
	}
	return out
}

type fakeConnector struct {
	backend *fakeBackend
	kind    string
}

func (c *fakeConnector) Validate(_ context.Context, s connect.Settings, _ connect.Direction) error {
	c.backend.mu.Lock()
	defer c.backend.mu.Unlock()
	c.backend.validated = append(c.backend.validated, s)
	return c.backend.validateErr
}

func (c *fakeConnector) List(ctx context.Context, _ connect.Settings) ([]connect.Object, error) {
	c.backend.mu.Lock()
	gate := c.backend.listGate
	c.backend.mu.Unlock()
	if gate != nil {
		select {
		case <-gate:
		case <-ctx.Done():
			return nil, ctx.Err()
		}
	}
	c.backend.mu.Lock()
	defer c.backend.mu.Unlock()
	if c.backend.listErr != nil {
		return nil, c.backend.listErr
	}
	keys := make([]string, 0, len(c.backend.objects))
	for k := range c.backend.objects {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	out := make([]connect.Object, 0, len(keys))
	for _, k := range keys {
		out = append(out, connect.Object{Key: k, Size: int64(len(c.backend.objects[k]))})
	}
	return out, nil
}

func (c *fakeConnector) Read(_ context.Context, _ connect.Settings, key string) ([]byte, error) {
	c.backend.mu.Lock()
	hook := c.backend.readHook
	c.backend.mu.Unlock()
	if hook != nil {
		hook(key)
	}
	c.backend.mu.Lock()
	defer c.backend.mu.Unlock()
	data, ok := c.backend.objects[key]
	if !ok {
		return nil, fmt.Errorf("no object %s", key)
	}
	return data, nil
}

func (c *fakeConnector) Write(_ context.Context, _ connect.Settings, key string, data []byte) error {
	c.backend.mu.Lock()
	defer c.backend.mu.Unlock()
	c.backend.written[key] = data
	return nil
}

func (c *fakeConnector) Delete(_ context.Context, _ connect.Settings, key string) error {
	c.backend.mu.Lock()
	defer c.backend.mu.Unlock()
	delete(c.backend.written, key)
	return nil
}

func (c *fakeConnector) BlobURL(s connect.Settings, key string) string {
	bucket, _ := s["bucket"].(string)
	return c.kind + "://" + bucket + "/" + key
}
