package client

import (
	"context"
	"net/http"
)

// Label Studio's two checks of a labeling configuration
// (label_studio/projects/api.py). Both have no side effect, so they are
// retried like reads.

// ValidateLabelConfig asks whether config is a labeling configuration a
// new project can take (POST /api/projects/validate/,
// LabelConfigValidateAPI: the checks of a project create). A refusal is an
// *APIError matching ErrValidation, with Label Studio's reason under
// label_config.
func (c *Client) ValidateLabelConfig(ctx context.Context, config string) error {
	return c.do(ctx, call{method: http.MethodPost, path: "/api/projects/validate/", body: map[string]any{"label_config": config}, retryable: true}, nil)
}

// ValidateProjectLabelConfig asks whether project id can take config
// (POST /api/projects/{id}/validate/, ProjectLabelConfigValidateAPI): the
// create's checks, then the annotations the project holds, which must
// keep every control tag, type and label they use. A refusal is an
// *APIError matching ErrValidation, with Label Studio's reason in its
// non-field messages.
func (c *Client) ValidateProjectLabelConfig(ctx context.Context, id int64, config string) error {
	return c.do(ctx, call{method: http.MethodPost, path: projectPath(id) + "validate/", body: map[string]any{"label_config": config}, retryable: true}, nil)
}
