package connect_test

import (
	"context"
	"errors"
	"reflect"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver/connect"
)

// connector returns a kind's connector, failing the test if it is unknown.
func connector(t *testing.T, kind string, env connect.Env) connect.Connector {
	t.Helper()
	c, err := connect.For(kind, env)
	if err != nil {
		t.Fatal(err)
	}
	return c
}

// wantError checks that err is a *connect.Error with exactly this message
// and internal flag.
func wantError(t *testing.T, err error, message string, internal bool) {
	t.Helper()
	var ce *connect.Error
	if !errors.As(err, &ce) {
		t.Fatalf("error = %v (%T), want *connect.Error %q", err, err, message)
	}
	if ce.Message != message || ce.Internal != internal {
		t.Errorf("error = %q (internal %v), want %q (internal %v)", ce.Message, ce.Internal, message, internal)
	}
}

// keys lists the connector's objects and returns their keys.
func keys(t *testing.T, c connect.Connector, s connect.Settings) []string {
	t.Helper()
	objects, err := c.List(context.Background(), s)
	if err != nil {
		t.Fatalf("List: %v", err)
	}
	out := []string{}
	for _, o := range objects {
		out = append(out, o.Key)
	}
	return out
}

func wantKeys(t *testing.T, got []string, want ...string) {
	t.Helper()
	if want == nil {
		want = []string{}
	}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("keys = %q, want %q", got, want)
	}
}

func TestUnknownKind(t *testing.T) {
	if _, err := connect.For("ftp", connect.Env{}); err == nil {
		t.Error("For(ftp) succeeded")
	}
}
