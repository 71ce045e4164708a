package client

import (
	"context"
	"net/http"
	"strconv"
)

// ML backends (label_studio/ml/urls.py, api.py): the list and create path
// ends in a slash, the item path does not (/api/ml/5/ is a 404). Every
// create, update and read makes Label Studio call the model server (/health,
// /setup), so these calls last as long as the model takes to answer.

// MLBackend is an ML backend as the server returned it. basic_auth_pass is
// never returned (only basic_auth_pass_is_set).
type MLBackend = Object

const mlBackendsPath = "/api/ml/"

func mlBackendPath(id int64) string {
	return mlBackendsPath + strconv.FormatInt(id, 10)
}

// CreateMLBackend creates an ML backend, finished like CreateWebhook: Label
// Studio has no uniqueness on ML backends, so a create whose outcome is
// unknown must be settled by looking, never by sending it again. Label
// Studio also creates a webhook with it, so the webhook lists are stale.
func (c *Client) CreateMLBackend(ctx context.Context, body map[string]any) (*MLBackend, error) {
	defer c.forgetWebhookLists()
	return callFor(ctx, c, call{method: http.MethodPost, path: mlBackendsPath, body: nonNilBody(body), finishInFlight: true}, decodeAnyObject)
}

// GetMLBackend reads one ML backend; Label Studio first re-checks the model
// (update_state), which may change state, error_message and model_version.
func (c *Client) GetMLBackend(ctx context.Context, id int64) (*MLBackend, error) {
	return callFor(ctx, c, call{method: http.MethodGet, path: mlBackendPath(id), retryable: true}, decodeAnyObject)
}

// UpdateMLBackend PATCHes an ML backend. Label Studio validates the body
// alone (MLBackendSerializer.validate): it must carry url, project,
// auth_method and, with basic auth, the user and password.
func (c *Client) UpdateMLBackend(ctx context.Context, id int64, body map[string]any) (*MLBackend, error) {
	return callFor(ctx, c, call{method: http.MethodPatch, path: mlBackendPath(id), body: nonNilBody(body), retryable: true}, decodeAnyObject)
}

// DeleteMLBackend deletes an ML backend. The webhook Label Studio created
// with it stays.
func (c *Client) DeleteMLBackend(ctx context.Context, id int64) error {
	return c.do(ctx, call{method: http.MethodDelete, path: mlBackendPath(id), retryable: true}, nil)
}

// ListMLBackends lists the ML backends of a project (GET /api/ml/?project=).
func (c *Client) ListMLBackends(ctx context.Context, project int64) ([]MLBackend, error) {
	return listFor(ctx, c, call{method: http.MethodGet, path: mlBackendsPath, query: projectQuery(project), retryable: true}, decodeAnyObject)
}
