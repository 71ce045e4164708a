// Package client is a small, hand-written client for the parts of the Label
// Studio API that the provider uses: storages, projects, tasks, tokens and the
// version endpoint. It knows Label Studio's exact paths (trailing slashes
// included), its error envelope, both token types and which calls are safe to
// retry. It has no Terraform framework types in it.
//
// CONTRACT (skeleton written first so that the provider and the sync engine can
// be built against it; the bodies are filled in by the client's owner).
package client

import (
	"context"
	"encoding/json"
	"time"
)

// Direction says whether a storage imports tasks (Label Studio: source) or
// exports annotations (Label Studio: target).
type Direction string

const (
	Import Direction = "import"
	Export Direction = "export"
)

// Config configures a Client. Only URL and APIKey are required.
type Config struct {
	// URL is the Label Studio base URL, e.g. http://localhost:8080.
	URL string
	// APIKey is a personal access token (a JWT refresh token) or a legacy
	// token; the client tells them apart the way the official SDK does.
	APIKey string
	// CACertPEM, when set, is the only set of roots trusted for TLS.
	CACertPEM []byte
	// InsecureSkipVerify turns TLS verification off (explicit opt-in only).
	InsecureSkipVerify bool
	// RequestTimeout bounds one HTTP attempt (default 30s). Operations are
	// bounded as a whole by their context.
	RequestTimeout time.Duration
	// MaxRetries is how many times an idempotent call is retried on 429, 5xx
	// or a transport error (default 5). Creates and syncs are never retried.
	MaxRetries int
	// UserAgent is sent on every request.
	UserAgent string
}

// StorageRef names one storage on the server.
type StorageRef struct {
	Kind      string // API type: s3, s3s, gcs, azure, redis, localfiles
	Direction Direction
	ID        int64
}

// Storage is a storage as the server returned it. The bookkeeping fields are
// decoded for convenience; Fields holds every key of the response as raw JSON
// (secrets are never in a response).
type Storage struct {
	ID            int64
	Type          string
	Project       int64
	Title         *string
	Status        string
	CreatedAt     string
	LastSync      *string
	LastSyncCount *int64
	LastSyncJob   *string
	Traceback     *string
	Meta          json.RawMessage
	Fields        map[string]json.RawMessage
}

// Project is a project as the server returned it.
type Project struct {
	ID     int64
	Title  string
	Fields map[string]json.RawMessage
}

// Task is one task of a project.
type Task struct {
	ID   int64
	Data map[string]any
}

// VersionInfo is what /api/version reports.
type VersionInfo struct {
	Release string
	Edition string // "Community" or "Enterprise" when the server says so
	Raw     map[string]json.RawMessage
}

// StorageType is one entry of /api/storages/types.
type StorageType struct {
	Name  string `json:"name"`
	Title string `json:"title"`
}

// Client talks to one Label Studio server. It is safe for concurrent use.
type Client struct {
	cfg Config
}

// New checks the configuration and returns a client. It makes no request.
func New(cfg Config) (*Client, error) { panic("not implemented") }

// CheckAuth makes one authenticated request (GET /api/current-user/whoami) so
// that a wrong URL or a rejected key is reported once, at configure time.
func (c *Client) CheckAuth(ctx context.Context) error { panic("not implemented") }

// Version reads /api/version.
func (c *Client) Version(ctx context.Context) (*VersionInfo, error) { panic("not implemented") }

// StorageTypes lists the storage kinds the server offers in one direction.
func (c *Client) StorageTypes(ctx context.Context, dir Direction) ([]StorageType, error) {
	panic("not implemented")
}

// ListStorages lists the storages of one kind and direction of a project.
// Calling it is also what makes Label Studio mark dead sync jobs failed.
func (c *Client) ListStorages(ctx context.Context, kind string, dir Direction, project int64) ([]Storage, error) {
	panic("not implemented")
}

// ListAllStorages lists every storage of a project in one direction
// (/api/storages/?project= and /api/storages/export?project=).
func (c *Client) ListAllStorages(ctx context.Context, dir Direction, project int64) ([]Storage, error) {
	panic("not implemented")
}

// GetStorage reads one storage. A missing storage is an *APIError matching
// ErrNotFound.
func (c *Client) GetStorage(ctx context.Context, ref StorageRef) (*Storage, error) {
	panic("not implemented")
}

// CreateStorage creates a storage. It is never retried.
func (c *Client) CreateStorage(ctx context.Context, kind string, dir Direction, body map[string]any) (*Storage, error) {
	panic("not implemented")
}

// UpdateStorage PATCHes a storage with body.
func (c *Client) UpdateStorage(ctx context.Context, ref StorageRef, body map[string]any) (*Storage, error) {
	panic("not implemented")
}

// DeleteStorage deletes a storage; 200 and 204 are both success.
func (c *Client) DeleteStorage(ctx context.Context, ref StorageRef) error { panic("not implemented") }

// ValidateStorage asks the server to test a connection described by body
// (the create body). Success is an empty 200.
func (c *Client) ValidateStorage(ctx context.Context, kind string, dir Direction, body map[string]any) error {
	panic("not implemented")
}

// SyncStorage starts a sync (POST …/{id}/sync, no body) and returns the
// storage as the response shows it. It is never retried: a timeout or 5xx
// may mean the sync started.
func (c *Client) SyncStorage(ctx context.Context, ref StorageRef) (*Storage, error) {
	panic("not implemented")
}

// CreateProject creates a project. It is never retried.
func (c *Client) CreateProject(ctx context.Context, body map[string]any) (*Project, error) {
	panic("not implemented")
}

// GetProject reads one project.
func (c *Client) GetProject(ctx context.Context, id int64) (*Project, error) {
	panic("not implemented")
}

// UpdateProject PATCHes a project.
func (c *Client) UpdateProject(ctx context.Context, id int64, body map[string]any) (*Project, error) {
	panic("not implemented")
}

// DeleteProject deletes a project (and, on the server, its storages).
func (c *Client) DeleteProject(ctx context.Context, id int64) error { panic("not implemented") }

// ListProjects walks every page of /api/projects/.
func (c *Client) ListProjects(ctx context.Context) ([]Project, error) { panic("not implemented") }

// ListTasks walks every page of the project's tasks.
func (c *Client) ListTasks(ctx context.Context, project int64) ([]Task, error) {
	panic("not implemented")
}
