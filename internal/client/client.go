// Package client is a small, hand-written client for the parts of the Label
// Studio API that the provider uses: storages, projects, tasks, tokens and the
// version endpoint. It knows Label Studio's exact paths (trailing slashes
// included), its error envelope, both token types and which calls are safe to
// retry. It has no Terraform framework types in it.
//
// Requests are logged with tflog at Debug (method, path, status, attempt,
// duration); bodies and headers never are.
package client

import (
	"bytes"
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync/atomic"
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
	// MaxRetries is how many times a call is retried (default 5): any call
	// on 429 or when its request could not be sent; idempotent calls also on
	// 5xx and transport errors. Creates and syncs are never repeated once
	// their request may have reached the server.
	MaxRetries int
	// UserAgent is sent on every request.
	UserAgent string
	// APIKeyHeader is where the API key goes: HeaderAuthorization (the
	// default when empty) or HeaderXAPIKey.
	APIKeyHeader string
	// Headers are sent with every request, the token refresh included:
	// what an authenticating proxy in front of Label Studio asks for, such
	// as Cloudflare Access's CF-Access-Client-Id and CF-Access-Client-Secret.
	// Their values are secrets, never logged; CheckHeaders says which are
	// refused.
	Headers map[string]string
}

// StorageRef names one storage on the server.
type StorageRef struct {
	Kind      string // API type: s3, s3s, gcs, azure, redis, localfiles
	Direction Direction
	ID        int64
	// Project, when set, is the project the storage is believed to be in:
	// GetStorage then answers from that group's list (storage_lists.go).
	// Writes ignore it.
	Project int64
}

// Storage is a storage as the server returned it. The bookkeeping fields are
// decoded for convenience; Fields holds every key of the response, decoded
// (see decodeFields; secrets are never in a response).
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
	Fields        map[string]any
}

// Project is a project as the server returned it.
type Project struct {
	ID    int64
	Title string
	// Fields holds every key of the response, decoded (see decodeFields).
	Fields map[string]any
}

// VersionInfo is what /api/version reports.
type VersionInfo struct {
	Release string
	Edition string // "Community" or "Enterprise" when the server says so
	Raw     map[string]json.RawMessage
}

// Client talks to one Label Studio server. It is safe for concurrent use.
type Client struct {
	baseURL        *url.URL // no trailing slash
	httpClient     *http.Client
	creds          *credentials
	apiKeyHeader   string      // HeaderAuthorization or HeaderXAPIKey
	extraHeaders   http.Header // Config.Headers
	userAgent      string
	requestTimeout time.Duration
	maxRetries     int
	// serverClockOffset is the server's clock minus ours, in nanoseconds,
	// from the last response's Date header.
	serverClockOffset atomic.Int64
	// storageLists, webhookLists and viewLists answer reads one list per
	// group (group_lists.go).
	storageLists groupLists[storageGroup, Storage]
	webhookLists groupLists[int64, Webhook] // by project
	viewLists    groupLists[int64, View]    // by project
	// projectBatches answers concurrent project reads together
	// (id_batches.go).
	projectBatches idBatches[Project]
	// webhookCatalogue keeps the webhook action catalogue (WebhookActions).
	webhookCatalogue webhookCatalogue

	// Seams for tests, so retries neither sleep nor depend on the clock.
	sleep  func(ctx context.Context, d time.Duration) error
	now    func() time.Time
	jitter func(d time.Duration) time.Duration
}

const (
	defaultRequestTimeout = 30 * time.Second
	defaultMaxRetries     = 5
	defaultUserAgent      = "terraform-provider-labelstudio"
	// pageSize is asked for when walking paginated lists.
	pageSize = 100
	// maxIdleConnsPerHost keeps a connection for each of Terraform's
	// concurrent calls, with room for a raised -parallelism.
	maxIdleConnsPerHost = 64
)

// New checks the configuration and returns a client. It makes no request.
// MaxRetries 0 means the default (5); a negative value turns retries off.
func New(cfg Config) (*Client, error) {
	base, err := parseBaseURL(cfg.URL)
	if err != nil {
		return nil, err
	}
	if strings.TrimSpace(cfg.APIKey) == "" {
		return nil, errors.New("the Label Studio API key is empty")
	}

	apiKeyHeader, err := ParseAPIKeyHeader(cfg.APIKeyHeader)
	if err != nil {
		return nil, err
	}
	if problems := CheckHeaders(cfg.Headers, apiKeyHeader); len(problems) > 0 {
		return nil, fmt.Errorf("header %s: %w", problems[0].Name, problems[0].Err)
	}
	extraHeaders := make(http.Header, len(cfg.Headers))
	for name, value := range cfg.Headers {
		extraHeaders.Set(name, value)
	}

	tlsConfig := &tls.Config{MinVersion: tls.VersionTLS12}
	if len(cfg.CACertPEM) > 0 {
		pool := x509.NewCertPool()
		if !pool.AppendCertsFromPEM(cfg.CACertPEM) {
			return nil, errors.New("the CA certificate bundle contains no PEM certificate that could be parsed")
		}
		tlsConfig.RootCAs = pool
	}
	// An explicit opt-in by the user, for self-signed development servers.
	tlsConfig.InsecureSkipVerify = cfg.InsecureSkipVerify //nolint:gosec

	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.TLSClientConfig = tlsConfig
	// Terraform calls the provider 10 at a time (-parallelism); Go keeps only
	// 2 idle connections per host by default, so most calls would open a new
	// connection, and over TLS pay a handshake's round trips.
	transport.MaxIdleConnsPerHost = maxIdleConnsPerHost

	c := &Client{
		baseURL: base,
		httpClient: &http.Client{
			Transport: transport,
			// A redirect would turn a POST into a GET and may drop the
			// Authorization header; report it instead (see summarizeBody).
			CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
		},
		creds:          newCredentials(strings.TrimSpace(cfg.APIKey)),
		apiKeyHeader:   apiKeyHeader,
		extraHeaders:   extraHeaders,
		userAgent:      cfg.UserAgent,
		requestTimeout: cfg.RequestTimeout,
		maxRetries:     cfg.MaxRetries,
		sleep:          sleepContext,
		now:            time.Now,
		jitter:         randomJitter,
	}
	c.webhookCatalogue.asking = make(chan struct{}, 1)
	if c.userAgent == "" {
		c.userAgent = defaultUserAgent
	}
	if c.requestTimeout <= 0 {
		c.requestTimeout = defaultRequestTimeout
	}
	switch {
	case c.maxRetries == 0:
		c.maxRetries = defaultMaxRetries
	case c.maxRetries < 0:
		c.maxRetries = 0
	}
	return c, nil
}

// parseBaseURL accepts http(s)://host[:port][/prefix][/] and returns it
// without the trailing slash.
func parseBaseURL(raw string) (*url.URL, error) {
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, errors.New("the Label Studio URL is empty")
	}
	u, err := url.Parse(raw)
	if err != nil {
		// url.Parse's error quotes the URL, which may hold a password.
		return nil, errors.New("the Label Studio URL is not a valid URL")
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, fmt.Errorf("the Label Studio URL %q must start with http:// or https://", u.Redacted())
	}
	if u.Host == "" {
		return nil, fmt.Errorf("the Label Studio URL %q has no host", u.Redacted())
	}
	if u.RawQuery != "" || u.Fragment != "" {
		return nil, fmt.Errorf("the Label Studio URL %q must not have a query or fragment", u.Redacted())
	}
	u.Path = strings.TrimRight(u.Path, "/")
	u.RawPath = strings.TrimRight(u.RawPath, "/")
	return u, nil
}

// Get reads an API path the client has no call for (path escaped, e.g.
// /api/storages/types) into out, retried like every read.
func (c *Client) Get(ctx context.Context, path string, query url.Values, out any) error {
	return c.do(ctx, call{method: http.MethodGet, path: path, query: query, retryable: true}, out)
}

// CheckAuth makes one authenticated request (GET /api/current-user/whoami) so
// that a wrong URL or a rejected key is reported once, at configure time.
// The answer must be a JSON object: a web server that is not Label Studio
// often answers 200 with an HTML page.
func (c *Client) CheckAuth(ctx context.Context) error {
	var user map[string]json.RawMessage
	return c.do(ctx, call{method: http.MethodGet, path: "/api/current-user/whoami", retryable: true}, &user)
}

// Version reads /api/version.
func (c *Client) Version(ctx context.Context) (*VersionInfo, error) {
	var raw map[string]json.RawMessage
	if err := c.do(ctx, call{method: http.MethodGet, path: "/api/version/", retryable: true}, &raw); err != nil {
		return nil, err
	}
	info := &VersionInfo{Raw: raw}
	info.Release = rawString(raw["release"])
	info.Edition = rawString(raw["edition"])
	return info, nil
}

// ListStorages lists the storages of one kind and direction of a project.
// Calling it is also what makes Label Studio mark dead sync jobs failed.
func (c *Client) ListStorages(ctx context.Context, kind string, dir Direction, project int64) ([]Storage, error) {
	path, err := storageCollectionPath(kind, dir)
	if err != nil {
		return nil, err
	}
	return c.listStorages(ctx, path, project)
}

// ListAllStorages lists every storage of a project in one direction
// (/api/storages/?project= and /api/storages/export?project=).
func (c *Client) ListAllStorages(ctx context.Context, dir Direction, project int64) ([]Storage, error) {
	if err := checkDirection(dir); err != nil {
		return nil, err
	}
	path := "/api/storages/"
	if dir == Export {
		path = "/api/storages/export"
	}
	return c.listStorages(ctx, path, project)
}

func (c *Client) listStorages(ctx context.Context, path string, project int64) ([]Storage, error) {
	return listFor(ctx, c, call{method: http.MethodGet, path: path, query: projectQuery(project), retryable: true}, decodeStorage)
}

// decodeList decodes each object of a list that path answered.
func decodeList[T any](path string, raws []map[string]json.RawMessage, decode func(map[string]json.RawMessage) (*T, error)) ([]T, error) {
	objects := make([]T, 0, len(raws))
	for _, raw := range raws {
		object, err := decode(raw)
		if err != nil {
			return nil, fmt.Errorf("GET %s: %w", path, err)
		}
		objects = append(objects, *object)
	}
	return objects, nil
}

// GetStorage reads one storage. A missing storage is an *APIError matching
// ErrNotFound. With ref.Project set, the read is answered from that
// project's list of the kind and direction, one request shared by every
// read of the group (storage_lists.go); a storage the list lacks is read by
// id, so that only the detail view's 404 says it is gone.
func (c *Client) GetStorage(ctx context.Context, ref StorageRef) (*Storage, error) {
	path, err := storageItemPath(ref)
	if err != nil {
		return nil, err
	}
	if ref.Project != 0 {
		return c.readStorageFromList(ctx, ref, path)
	}
	return callFor(ctx, c, call{method: http.MethodGet, path: path, retryable: true}, decodeStorage)
}

// CreateStorage creates a storage. It is retried only when the server
// cannot have acted (429, or the request was never sent); a request in
// flight when ctx is cancelled still gets its answer, within the request
// timeout. When the outcome is unknown (see UnknownOutcome) the storage may
// exist: look for it rather than create it again.
func (c *Client) CreateStorage(ctx context.Context, kind string, dir Direction, body map[string]any) (*Storage, error) {
	path, err := storageCollectionPath(kind, dir)
	if err != nil {
		return nil, err
	}
	defer c.forgetStorageLists(kind, dir)
	return callFor(ctx, c, call{method: http.MethodPost, path: path, body: nonNilBody(body), finishInFlight: true}, decodeStorage)
}

// UpdateStorage PATCHes a storage with body.
func (c *Client) UpdateStorage(ctx context.Context, ref StorageRef, body map[string]any) (*Storage, error) {
	path, err := storageItemPath(ref)
	if err != nil {
		return nil, err
	}
	defer c.forgetStorageLists(ref.Kind, ref.Direction)
	return callFor(ctx, c, call{method: http.MethodPatch, path: path, body: nonNilBody(body), retryable: true}, decodeStorage)
}

// DeleteStorage deletes a storage; 200 and 204 are both success.
func (c *Client) DeleteStorage(ctx context.Context, ref StorageRef) error {
	path, err := storageItemPath(ref)
	if err != nil {
		return err
	}
	defer c.forgetStorageLists(ref.Kind, ref.Direction)
	return c.do(ctx, call{method: http.MethodDelete, path: path, retryable: true}, nil)
}

// ValidateStorage asks the server to test a connection described by body
// (the create body). Success is an empty 200. It is retried like a read:
// validating has no side effect when no id is in the body.
func (c *Client) ValidateStorage(ctx context.Context, kind string, dir Direction, body map[string]any) error {
	base, err := storageBasePath(kind, dir)
	if err != nil {
		return err
	}
	// Validating with an id saves the body on some kinds (API.md 4.4).
	defer c.forgetStorageLists(kind, dir)
	return c.do(ctx, call{method: http.MethodPost, path: base + "/validate", body: nonNilBody(body), retryable: true}, nil)
}

// SyncStorage starts a sync (POST …/{id}/sync, no body) and returns the
// storage as the response shows it. It is retried only on 429 or when the
// request was never sent: a timeout or 5xx may mean the sync started.
func (c *Client) SyncStorage(ctx context.Context, ref StorageRef) (*Storage, error) {
	path, err := storageItemPath(ref)
	if err != nil {
		return nil, err
	}
	defer c.forgetStorageLists(ref.Kind, ref.Direction)
	return callFor(ctx, c, call{method: http.MethodPost, path: path + "/sync"}, decodeStorage)
}

// CreateProject creates a project, retried and finished like CreateStorage.
func (c *Client) CreateProject(ctx context.Context, body map[string]any) (*Project, error) {
	return callFor(ctx, c, call{method: http.MethodPost, path: "/api/projects/", body: nonNilBody(body), finishInFlight: true}, decodeProject)
}

// GetProject reads one project.
func (c *Client) GetProject(ctx context.Context, id int64) (*Project, error) {
	return callFor(ctx, c, call{method: http.MethodGet, path: projectPath(id), retryable: true}, decodeProject)
}

// ReadProject reads a project as GetProject does; reads made while another
// is in flight are answered together, from one list request by ids
// (id_batches.go).
func (c *Client) ReadProject(ctx context.Context, id int64) (*Project, error) {
	return c.projectBatches.read(ctx, id, c.projectsWithIDs, func(ctx context.Context) (*Project, error) {
		return c.GetProject(ctx, id)
	})
}

// projectsWithIDs lists the projects with these ids: one page, so at most
// pageSize ids. A server that does not filter by ids answers its first
// page of projects; the reads of the others go by id.
func (c *Client) projectsWithIDs(ctx context.Context, ids []int64) ([]Project, error) {
	const path = "/api/projects/"
	q := ProjectFilter{IDs: ids}.query()
	q.Set("page_size", strconv.Itoa(pageSize))
	var first page
	if err := c.do(ctx, call{method: http.MethodGet, path: path, query: q, retryable: true}, &first); err != nil {
		return nil, err
	}
	var raws []map[string]json.RawMessage
	if err := json.Unmarshal(first.items, &raws); err != nil {
		return nil, fmt.Errorf("GET %s: the page's items are not a JSON array of objects", path)
	}
	return decodeList(path, raws, decodeProject)
}

func (p Project) listID() int64 { return p.ID }

func (p Project) readerCopy() *Project {
	p.Fields = maps.Clone(p.Fields)
	return &p
}

// UpdateProject PATCHes a project.
func (c *Client) UpdateProject(ctx context.Context, id int64, body map[string]any) (*Project, error) {
	return callFor(ctx, c, call{method: http.MethodPatch, path: projectPath(id), body: nonNilBody(body), retryable: true}, decodeProject)
}

// DeleteProject deletes a project (and, on the server, its storages).
func (c *Client) DeleteProject(ctx context.Context, id int64) error {
	defer c.forgetProjectLists(id)
	return c.do(ctx, call{method: http.MethodDelete, path: projectPath(id), retryable: true}, nil)
}

// ProjectFilter narrows a project list on the server
// (label_studio/projects/api.py); the zero value lists every project.
type ProjectFilter struct {
	// IDs keeps the projects with these IDs.
	IDs []int64
	// TitleContains keeps the projects whose title contains it, ignoring case.
	TitleContains string
	// Ordering is DRF's ordering, e.g. "id" or "-created_at"; Label Studio
	// lists newest first by default and ignores fields it cannot order by.
	Ordering string
	// Include names the count fields to compute (task_number, ...); the
	// others come back null. Empty computes them all.
	Include []string
}

func (f ProjectFilter) query() url.Values {
	q := url.Values{}
	if len(f.IDs) > 0 {
		ids := make([]string, len(f.IDs))
		for i, id := range f.IDs {
			ids[i] = strconv.FormatInt(id, 10)
		}
		q.Set("ids", strings.Join(ids, ","))
	}
	if f.TitleContains != "" {
		q.Set("title", f.TitleContains)
	}
	if f.Ordering != "" {
		q.Set("ordering", f.Ordering)
	}
	if len(f.Include) > 0 {
		q.Set("include", strings.Join(f.Include, ","))
	}
	return q
}

// ListProjects walks every page of /api/projects/ that the filter keeps.
func (c *Client) ListProjects(ctx context.Context, filter ProjectFilter) ([]Project, error) {
	var projects []Project
	err := c.WalkPages(ctx, "/api/projects/", filter.query(), func(raw json.RawMessage) error {
		project, err := decodeProjectItem(raw)
		if err != nil {
			return err
		}
		projects = append(projects, *project)
		return nil
	})
	return projects, err
}

// decodeProjectItem decodes one project of a list.
func decodeProjectItem(raw json.RawMessage) (*Project, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return nil, errors.New("a project is not a JSON object")
	}
	return decodeProject(fields)
}

// page is one page of a paginated list in any of the shapes Label Studio
// uses: DRF's {"count","next","results"}, the task list's
// {"tasks","total"}, or a bare JSON array, which is taken to be the whole
// list (a server that ignores page would otherwise repeat it forever).
type page struct {
	items json.RawMessage
	total *int64
	next  *bool // nil when the shape does not say
}

func (p *page) UnmarshalJSON(data []byte) error {
	trimmed := bytes.TrimSpace(data)
	if len(trimmed) > 0 && trimmed[0] == '[' {
		p.items = trimmed
		last := false
		p.next = &last
		return nil
	}
	var envelope struct {
		Results json.RawMessage  `json:"results"`
		Tasks   json.RawMessage  `json:"tasks"`
		Count   *int64           `json:"count"`
		Total   *int64           `json:"total"`
		Next    *json.RawMessage `json:"next"`
	}
	if err := json.Unmarshal(trimmed, &envelope); err != nil {
		return err
	}
	switch {
	case envelope.Results != nil:
		p.items = envelope.Results
	case envelope.Tasks != nil:
		p.items = envelope.Tasks
	default:
		return errors.New("the page has neither results nor tasks")
	}
	p.total = envelope.Count
	if envelope.Total != nil {
		p.total = envelope.Total
	}
	if envelope.Next != nil {
		hasNext := string(*envelope.Next) != "null" && string(*envelope.Next) != `""`
		p.next = &hasNext
	}
	return nil
}

// WalkPages reads path page by page (page=1,2,… with page_size) and hands
// every item to visit. It stops at the end the server announces (no next,
// total reached), at a short or empty page, or at a 404 for a page past the
// end (DRF's "Invalid page.").
func (c *Client) WalkPages(ctx context.Context, path string, query url.Values, visit func(json.RawMessage) error) error {
	seen := int64(0)
	for pageNumber := 1; ; pageNumber++ {
		q := url.Values{}
		for key, values := range query {
			q[key] = values
		}
		q.Set("page", strconv.Itoa(pageNumber))
		q.Set("page_size", strconv.Itoa(pageSize))

		var current page
		err := c.do(ctx, call{method: http.MethodGet, path: path, query: q, retryable: true}, &current)
		if err != nil {
			if pageNumber > 1 && errors.Is(err, ErrNotFound) {
				return nil
			}
			return err
		}
		var items []json.RawMessage
		if err := json.Unmarshal(current.items, &items); err != nil {
			return fmt.Errorf("GET %s: the page's items are not a JSON array", path)
		}
		for _, item := range items {
			if err := visit(item); err != nil {
				return fmt.Errorf("GET %s: %w", path, err)
			}
		}
		seen += int64(len(items))
		switch {
		case len(items) == 0:
			return nil
		case current.next != nil && !*current.next:
			return nil
		case current.total != nil && seen >= *current.total:
			return nil
		case current.next == nil && current.total == nil && len(items) < pageSize:
			return nil
		}
	}
}

// Paths. Import list/create keep Label Studio's trailing slash; every other
// storage path has none (a slash added there is a 404).

func checkDirection(dir Direction) error {
	if dir != Import && dir != Export {
		return fmt.Errorf("unknown storage direction %q (want %q or %q)", dir, Import, Export)
	}
	return nil
}

func storageBasePath(kind string, dir Direction) (string, error) {
	if err := checkDirection(dir); err != nil {
		return "", err
	}
	if !validKind(kind) {
		return "", fmt.Errorf("invalid storage kind %q", kind)
	}
	if dir == Export {
		return "/api/storages/export/" + kind, nil
	}
	return "/api/storages/" + kind, nil
}

// validKind keeps the kind to the characters Label Studio's kinds use, so it
// can go into a path unescaped.
func validKind(kind string) bool {
	if kind == "" {
		return false
	}
	for _, r := range kind {
		if (r < 'a' || r > 'z') && (r < '0' || r > '9') && r != '_' {
			return false
		}
	}
	return true
}

func storageCollectionPath(kind string, dir Direction) (string, error) {
	base, err := storageBasePath(kind, dir)
	if err != nil {
		return "", err
	}
	if dir == Import {
		return base + "/", nil
	}
	return base, nil
}

func storageItemPath(ref StorageRef) (string, error) {
	base, err := storageBasePath(ref.Kind, ref.Direction)
	if err != nil {
		return "", err
	}
	return base + "/" + strconv.FormatInt(ref.ID, 10), nil
}

func projectPath(id int64) string {
	return "/api/projects/" + strconv.FormatInt(id, 10) + "/"
}

func projectQuery(project int64) url.Values {
	return url.Values{"project": {strconv.FormatInt(project, 10)}}
}

// nonNilBody makes a nil map go out as {} rather than null.
func nonNilBody(body map[string]any) map[string]any {
	if body == nil {
		return map[string]any{}
	}
	return body
}

// ownSecrets are the values the client sends that a server's error must
// never show: the API key, the access token of the request, and the
// configured header values.
func (c *Client) ownSecrets(access string) []string {
	secrets := []string{c.creds.apiKey, access}
	for _, values := range c.extraHeaders {
		secrets = append(secrets, values...)
	}
	return secrets
}
