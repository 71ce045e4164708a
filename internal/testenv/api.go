package testenv

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/url"
	"strconv"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// Client is an API client of the server for test setup and server-side
// checks; cfg's URL and APIKey are filled in.
func (e *Env) Client(t testing.TB, cfg client.Config) *client.Client {
	t.Helper()
	cfg.URL, cfg.APIKey = e.URL, e.APIKey
	c, err := client.New(cfg)
	if err != nil {
		t.Fatalf("testenv: client: %v", err)
	}
	return c
}

// Calls only tests make, on top of the client's generic reads: the provider
// itself never lists tasks or storage kinds.

// Task is one task of a project.
type Task struct {
	ID   int64
	Data map[string]any
}

// ListTasks walks every page of the project's tasks. Numbers in task data
// are json.Number, so large ids survive.
func ListTasks(ctx context.Context, c *client.Client, project int64) ([]Task, error) {
	var tasks []Task
	query := url.Values{"project": {strconv.FormatInt(project, 10)}}
	err := c.WalkPages(ctx, "/api/tasks/", query, func(raw json.RawMessage) error {
		var fields struct {
			ID   json.Number    `json:"id"`
			Data map[string]any `json:"data"`
		}
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&fields); err != nil {
			return errors.New("a task is not the expected JSON object")
		}
		id, err := fields.ID.Int64()
		if err != nil {
			return errors.New("a task has no integer id")
		}
		tasks = append(tasks, Task{ID: id, Data: fields.Data})
		return nil
	})
	return tasks, err
}

// StorageType is one entry of /api/storages/types.
type StorageType struct {
	Name  string `json:"name"`
	Title string `json:"title"`
}

// StorageTypes lists the storage kinds the server offers in one direction.
func StorageTypes(ctx context.Context, c *client.Client, dir client.Direction) ([]StorageType, error) {
	path := "/api/storages/types"
	if dir == client.Export {
		path = "/api/storages/export/types"
	}
	var types []StorageType
	err := c.Get(ctx, path, nil, &types)
	return types, err
}
