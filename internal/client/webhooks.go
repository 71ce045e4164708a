package client

import (
	"context"
	"maps"
	"net/http"
	"strconv"
)

// Webhooks (label_studio/webhooks/api.py, urls.py): the list and create
// path and the item path both end in a slash; the list is not paginated.

// Webhook is a webhook as the server returned it. headers comes back in
// clear: callers keep it out of logs.
type Webhook = Object

// WebhookAction is one entry of Label Studio's action catalogue
// (GET /api/webhooks/info/, WebhookInfoAPI).
type WebhookAction struct {
	Name        string `json:"name"`
	Description string `json:"description"`
	Key         string `json:"key"`
	// OrganizationOnly actions are refused on a project webhook
	// (Webhook.validate_actions, webhooks/models.py).
	OrganizationOnly bool `json:"organization-only"`
}

const webhooksPath = "/api/webhooks/"

func webhookPath(id int64) string {
	return webhooksPath + strconv.FormatInt(id, 10) + "/"
}

// CreateWebhook creates a webhook, retried and finished like CreateStorage:
// Label Studio has no uniqueness on webhooks, so a create whose outcome is
// unknown must be settled by looking, never by sending it again.
func (c *Client) CreateWebhook(ctx context.Context, body map[string]any) (*Webhook, error) {
	defer c.forgetWebhookLists()
	return callFor(ctx, c, call{method: http.MethodPost, path: webhooksPath, body: nonNilBody(body), finishInFlight: true}, decodeAnyObject)
}

// GetWebhook reads one webhook. A missing webhook is an *APIError matching
// ErrNotFound.
func (c *Client) GetWebhook(ctx context.Context, id int64) (*Webhook, error) {
	return callFor(ctx, c, call{method: http.MethodGet, path: webhookPath(id), retryable: true}, decodeAnyObject)
}

// ReadWebhook reads a webhook believed to be in project: from that
// project's list (GET /api/webhooks/?project=), one request shared by every
// read of the project's webhooks (readProjectListed); what the list lacks
// is read by id (GetWebhook).
func (c *Client) ReadWebhook(ctx context.Context, id, project int64) (*Webhook, error) {
	return readProjectListed(ctx, &c.webhookLists, id, project, c.ListWebhooks, c.GetWebhook)
}

// UpdateWebhook PATCHes a webhook. Label Studio stores an empty action list
// when the body has no actions (WebhookSerializer.update), so callers send
// actions on every update.
func (c *Client) UpdateWebhook(ctx context.Context, id int64, body map[string]any) (*Webhook, error) {
	defer c.forgetWebhookLists()
	return callFor(ctx, c, call{method: http.MethodPatch, path: webhookPath(id), body: nonNilBody(body), retryable: true}, decodeAnyObject)
}

// DeleteWebhook deletes a webhook.
func (c *Client) DeleteWebhook(ctx context.Context, id int64) error {
	defer c.forgetWebhookLists()
	return c.do(ctx, call{method: http.MethodDelete, path: webhookPath(id), retryable: true}, nil)
}

// ListWebhooks lists the webhooks of a project (GET /api/webhooks/?project=).
func (c *Client) ListWebhooks(ctx context.Context, project int64) ([]Webhook, error) {
	return listFor(ctx, c, call{method: http.MethodGet, path: webhooksPath, query: projectQuery(project), retryable: true}, decodeAnyObject)
}

// WebhookActions reads the action catalogue, keyed by action name. It is
// Label Studio's WebhookAction.ACTIONS (webhooks/models.py), fixed in its
// code, so the first answer serves every later call of this Client (one
// Terraform operation, see group_lists.go): a plan of 50 webhooks asks
// once, not 50 times. Concurrent calls wait for the one in flight; a
// failure is not kept, and the next call asks again.
func (c *Client) WebhookActions(ctx context.Context) (map[string]WebhookAction, error) {
	catalogue := &c.webhookCatalogue
	select {
	case catalogue.asking <- struct{}{}:
	case <-ctx.Done():
		return nil, ctx.Err()
	}
	defer func() { <-catalogue.asking }()
	if catalogue.actions == nil {
		var actions map[string]WebhookAction
		if err := c.do(ctx, call{method: http.MethodGet, path: webhooksPath + "info/", retryable: true}, &actions); err != nil {
			return nil, err
		}
		catalogue.actions = actions
	}
	return maps.Clone(catalogue.actions), nil
}

// webhookCatalogue is the action catalogue once read.
type webhookCatalogue struct {
	// asking holds a token while a caller reads or asks for the catalogue.
	asking  chan struct{}
	actions map[string]WebhookAction
}

// forgetWebhookLists drops every project's webhook list after a webhook
// write: the client does not know an update's or a delete's project
// without asking, and Terraform writes little while it reads.
func (c *Client) forgetWebhookLists() {
	c.webhookLists.forget(func(int64) bool { return true })
}
