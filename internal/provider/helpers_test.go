package provider

import (
	"context"
	"errors"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// testClient is an API client for test setup and server-side assertions.
func testClient(t *testing.T, env *testenv.Env) *client.Client {
	t.Helper()
	return env.Client(t, client.Config{MaxRetries: 2})
}

// testProject creates a project for the test and deletes it afterwards.
func testProject(t *testing.T, c *client.Client) int64 {
	t.Helper()
	p, err := c.CreateProject(t.Context(), map[string]any{"title": "storage acceptance test"})
	if err != nil {
		t.Fatalf("create project: %v", err)
	}
	t.Cleanup(func() {
		if err := c.DeleteProject(context.Background(), p.ID); err != nil && !errors.Is(err, client.ErrNotFound) {
			t.Errorf("delete project %d: %v", p.ID, err)
		}
	})
	return p.ID
}
