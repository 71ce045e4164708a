package provider

import (
	"context"

	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/list"
	listschema "github.com/hashicorp/terraform-plugin-framework/list/schema"
	"github.com/hashicorp/terraform-plugin-framework/tfsdk"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// objectList is an object type's list resource: one attribute narrows
// what is listed.
type objectList[T any] struct {
	description string
	// attribute is the list block's one attribute.
	attribute string
	schema    listschema.Attribute
	// summary heads the error of a failed list; summaryFor, when set, words
	// it for the attribute's value.
	summary    string
	summaryFor func(filter tftypes.Value) string
	// fetch lists the objects the attribute's value (maybe null) selects.
	fetch func(ctx context.Context, c *client.Client, filter tftypes.Value) ([]T, error)
	// title is what `terraform query` shows before the id.
	title func(*T) string
}

var _ list.ListResourceWithConfigure = (*objectListResource[client.Project])(nil)

// objectListResource lists the objects of its table row's type. It embeds
// the resource for its name, client and the conversion of an object into
// state.
type objectListResource[T any] struct {
	objectResource[T]
}

func (l *objectListResource[T]) ListResourceConfigSchema(_ context.Context, _ list.ListResourceSchemaRequest, resp *list.ListResourceSchemaResponse) {
	spec := l.table().list
	resp.Schema = listConfigSchema(spec.description, spec.attribute, spec.schema)
}

func (l *objectListResource[T]) List(ctx context.Context, req list.ListRequest, stream *list.ListResultsStream) {
	t := l.table()
	diags := requireClientDiags(l.client)
	config, d := readObject(req.Config.Raw)
	diags.Append(d...)
	if diags.HasError() {
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	filter := config.attrs[t.list.attribute]
	objects, err := t.list.fetch(ctx, l.client, filter)
	if err != nil {
		summary := t.list.summary
		if t.list.summaryFor != nil {
			summary = t.list.summaryFor(filter)
		}
		if t.apiError != nil {
			t.apiError(&diags, "", summary, err, nil)
		} else {
			diags.Append(apiErrorDiagnostics(err, apiFailure{summary: summary})...)
		}
		stream.Results = list.ListResultsStreamDiagnostics(diags)
		return
	}
	stream.Results = listResults(ctx, req, objects, func(obj T) (int64, string) {
		return t.id(&obj), t.list.title(&obj)
	}, func(state *tfsdk.State, obj T) diag.Diagnostics {
		return t.setState(state, &obj)
	})
}

func requireClientDiags(c *client.Client) diag.Diagnostics {
	var diags diag.Diagnostics
	requireClient(c, &diags)
	return diags
}

// projectCandidates and projectFetch adapt a client's list of one
// project's objects to the create's candidates (the body's project) and to
// a list resource's fetch (its project attribute).
func projectCandidates[T any](listProject func(*client.Client, context.Context, int64) ([]T, error)) func(*client.Client, context.Context, map[string]any) ([]T, error) {
	return func(c *client.Client, ctx context.Context, body map[string]any) ([]T, error) {
		project, _ := body[attrProject].(int64)
		return listProject(c, ctx, project)
	}
}

func projectFetch[T any](listProject func(*client.Client, context.Context, int64) ([]T, error)) func(context.Context, *client.Client, tftypes.Value) ([]T, error) {
	return func(ctx context.Context, c *client.Client, filter tftypes.Value) ([]T, error) {
		project, err := int64JSON(filter)
		if err != nil {
			return nil, err
		}
		return listProject(c, ctx, project.(int64))
	}
}
