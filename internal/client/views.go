package client

import (
	"context"
	"net/http"
	"strconv"
)

// Data-manager views, the tabs of a project's task list
// (label_studio/data_manager/urls.py, api.py ViewAPI, serializers.py
// ViewSerializer): every path ends in a slash; the list is not paginated.
// Label Studio keeps a view's settings in the free JSON `data`, except its
// filters and ordering, which it lifts out on write and puts back into data
// on read; a PATCH with data replaces the stored data as a whole.

// View is a view as the server returned it.
type View = Object

const viewsPath = "/api/dm/views/"

func viewPath(id int64) string {
	return viewsPath + strconv.FormatInt(id, 10) + "/"
}

// CreateView creates a view. Label Studio has no uniqueness on views, so a
// create whose outcome is unknown must be settled by looking, never by
// sending it again.
func (c *Client) CreateView(ctx context.Context, body map[string]any) (*View, error) {
	defer c.forgetViewLists()
	return callFor(ctx, c, call{method: http.MethodPost, path: viewsPath, body: nonNilBody(body), finishInFlight: true}, decodeAnyObject)
}

// GetView reads one view. A missing view is an *APIError matching
// ErrNotFound.
func (c *Client) GetView(ctx context.Context, id int64) (*View, error) {
	return callFor(ctx, c, call{method: http.MethodGet, path: viewPath(id), retryable: true}, decodeAnyObject)
}

// ReadView reads a view believed to be in project: from that project's list
// (GET /api/dm/views/?project=), one request shared by every read of the
// project's views (readProjectListed); what the list lacks is read by id
// (GetView).
func (c *Client) ReadView(ctx context.Context, id, project int64) (*View, error) {
	return readProjectListed(ctx, &c.viewLists, id, project, c.ListViews, c.GetView)
}

// UpdateView PATCHes a view. The body must hold data: Label Studio stores
// the data sent in place of the old (and older releases fail without it).
func (c *Client) UpdateView(ctx context.Context, id int64, body map[string]any) (*View, error) {
	defer c.forgetViewLists()
	return callFor(ctx, c, call{method: http.MethodPatch, path: viewPath(id), body: nonNilBody(body), retryable: true}, decodeAnyObject)
}

// DeleteView deletes a view.
func (c *Client) DeleteView(ctx context.Context, id int64) error {
	defer c.forgetViewLists()
	return c.do(ctx, call{method: http.MethodDelete, path: viewPath(id), retryable: true}, nil)
}

// ListViews lists the views of a project (GET /api/dm/views/?project=), in
// Label Studio's order: by tab position, then id.
func (c *Client) ListViews(ctx context.Context, project int64) ([]View, error) {
	return listFor(ctx, c, call{method: http.MethodGet, path: viewsPath, query: projectQuery(project), retryable: true}, decodeAnyObject)
}

// forgetViewLists drops every project's view list after a view write: the
// client does not know an update's or a delete's project without asking.
func (c *Client) forgetViewLists() {
	c.viewLists.forget(func(int64) bool { return true })
}
