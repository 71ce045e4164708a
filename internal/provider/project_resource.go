package provider

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework/diag"
	"github.com/hashicorp/terraform-plugin-framework/resource"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

var (
	_ resource.Resource                   = (*projectResource)(nil)
	_ resource.ResourceWithConfigure      = (*projectResource)(nil)
	_ resource.ResourceWithImportState    = (*projectResource)(nil)
	_ resource.ResourceWithValidateConfig = (*projectResource)(nil)
	_ resource.ResourceWithIdentity       = (*projectResource)(nil)
)

// defaultLabelConfig is what Label Studio stores when a project is created
// without a labeling configuration.
const defaultLabelConfig = "<View></View>"

const defaultProjectTimeout = 5 * time.Minute

func newProjectResource() resource.Resource { return &projectResource{} }

type projectResource struct {
	configuredClient
}

func (r *projectResource) Metadata(_ context.Context, req resource.MetadataRequest, resp *resource.MetadataResponse) {
	resp.TypeName = req.ProviderTypeName + "_project"
}

func (r *projectResource) Schema(ctx context.Context, _ resource.SchemaRequest, resp *resource.SchemaResponse) {
	attributes := map[string]schema.Attribute{
		"id": schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "Project ID; storages take it as `project`.",
			PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
		},
		"created_at": schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "When the project was created (ISO 8601).",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		"timeouts": checkedTimeouts(timeouts.Attributes(ctx, timeouts.Opts{Create: true, Read: true, Update: true, Delete: true})),
	}
	for _, f := range projectSent {
		attributes[f.name] = f.settingAttribute()
	}
	resp.Schema = schema.Schema{
		MarkdownDescription: "A Label Studio project: its title, labeling configuration and labeling settings. " +
			"Every setting left out keeps Label Studio's default. Deleting a project deletes its tasks, annotations and storages.",
		Attributes: attributes,
	}
}

func (r *projectResource) IdentitySchema(_ context.Context, _ resource.IdentitySchemaRequest, resp *resource.IdentitySchemaResponse) {
	resp.IdentitySchema = idIdentitySchema("project")
}

// ValidateConfig reports numbers that are no integer on their attribute.
func (r *projectResource) ValidateConfig(_ context.Context, req resource.ValidateConfigRequest, resp *resource.ValidateConfigResponse) {
	resp.Diagnostics.Append(rejectNonIntegers(req.Config.Raw)...)
}

func (r *projectResource) Create(ctx context.Context, req resource.CreateRequest, resp *resource.CreateResponse) {
	ctx, cancel := startOperation(ctx, r.client, req.Plan, timeouts.Value.Create, defaultProjectTimeout, &resp.Diagnostics)
	defer cancel()

	body, diags := projectRequestBody(req.Plan.Raw, tftypes.Value{})
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}
	project, settled, err := r.create(ctx, body)
	if err != nil {
		addProjectAPIError(&resp.Diagnostics, "create", "Cannot create the Label Studio project", err)
		return
	}
	if settled {
		resp.Diagnostics.AddWarning("The create's answer was lost; the project it made was adopted",
			fmt.Sprintf("Label Studio's answer to the create never arrived, so the provider looked for the project instead of creating another, and found project %d, created just now with this configuration. It is now in state.", project.ID))
	}
	// State starts from the plan so that timeouts (not a server field) stay.
	resp.State.Raw = req.Plan.Raw.Copy()
	resp.Diagnostics.Append(setProjectState(ctx, &resp.State, project)...)
	resp.Diagnostics.Append(setIDIdentity(ctx, resp.Identity, project.ID)...)
}

func (r *projectResource) Read(ctx context.Context, req resource.ReadRequest, resp *resource.ReadResponse) {
	ctx, cancel := startOperation(ctx, r.client, req.State, timeouts.Value.Read, defaultProjectTimeout, &resp.Diagnostics)
	defer cancel()

	id := stateID(ctx, req.State, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	// A state written before identities existed has none: the framework
	// wants one after every Read, even one that removes the resource.
	resp.Diagnostics.Append(setIDIdentity(ctx, resp.Identity, id.ValueInt64())...)
	project, err := r.client.GetProject(ctx, id.ValueInt64())
	if errors.Is(err, client.ErrNotFound) {
		// Deleted outside Terraform: plan to create it again.
		resp.State.RemoveResource(ctx)
		return
	}
	if err != nil {
		addProjectAPIError(&resp.Diagnostics, "read", "Cannot read the Label Studio project", err)
		return
	}
	resp.Diagnostics.Append(setProjectState(ctx, &resp.State, project)...)
}

func (r *projectResource) Update(ctx context.Context, req resource.UpdateRequest, resp *resource.UpdateResponse) {
	ctx, cancel := startOperation(ctx, r.client, req.Plan, timeouts.Value.Update, defaultProjectTimeout, &resp.Diagnostics)
	defer cancel()

	id := stateID(ctx, req.State, &resp.Diagnostics)
	body, diags := projectRequestBody(req.Plan.Raw, req.State.Raw)
	resp.Diagnostics.Append(diags...)
	if resp.Diagnostics.HasError() {
		return
	}

	resp.State.Raw = req.Plan.Raw.Copy()
	var project *client.Project
	var err error
	if len(body) == 0 {
		// Only timeouts changed: nothing to send, but show the server's view.
		project, err = r.client.GetProject(ctx, id.ValueInt64())
	} else {
		project, err = r.client.UpdateProject(ctx, id.ValueInt64(), body)
	}
	if err != nil {
		addProjectAPIError(&resp.Diagnostics, "update", "Cannot update the Label Studio project", err)
		return
	}
	resp.Diagnostics.Append(setProjectState(ctx, &resp.State, project)...)
	resp.Diagnostics.Append(setIDIdentity(ctx, resp.Identity, id.ValueInt64())...)
}

func (r *projectResource) Delete(ctx context.Context, req resource.DeleteRequest, resp *resource.DeleteResponse) {
	ctx, cancel := startOperation(ctx, r.client, req.State, timeouts.Value.Delete, defaultProjectTimeout, &resp.Diagnostics)
	defer cancel()

	id := stateID(ctx, req.State, &resp.Diagnostics)
	if resp.Diagnostics.HasError() {
		return
	}
	err := r.client.DeleteProject(ctx, id.ValueInt64())
	if err != nil && !errors.Is(err, client.ErrNotFound) {
		addProjectAPIError(&resp.Diagnostics, "delete", "Cannot delete the Label Studio project", err)
	}
}

// ImportState takes the project ID, as shown in the project's URL
// (/projects/42/).
func (r *projectResource) ImportState(ctx context.Context, req resource.ImportStateRequest, resp *resource.ImportStateResponse) {
	importByID(ctx, req, resp, "project", "the number in the project's URL")
}

// create sends the create request; like a storage's, an interrupted
// request finishes and an unknown outcome is settled by looking for the
// project among the projects, never by a second create.
func (r *projectResource) create(ctx context.Context, body map[string]any) (*client.Project, bool, error) {
	return createOrSettle(ctx, settlement{
		client:       r.client,
		resourceType: "labelstudio_project",
		kind:         "project",
		claimPrefix:  "project",
		asked:        body,
		sameField:    sameProjectField,
	}, func(ctx context.Context) (*client.Project, error) {
		return r.client.CreateProject(ctx, body)
	}, func(ctx context.Context) ([]client.Project, error) {
		// Only projects whose title contains the one asked for (as Label
		// Studio stores it: trimmed) can match.
		title, _ := body["title"].(string)
		return r.client.ListProjects(ctx, client.ProjectFilter{TitleContains: strings.TrimSpace(title)})
	}, func(p *client.Project) map[string]any { return p.Fields })
}

// sameProjectField compares an asked project field with the server's the
// way Label Studio stores it: label_config by meaning, text that Label
// Studio trims or sanitises in its stored form.
func sameProjectField(name string, asked, got any) (same, handled bool) {
	want, isText := asked.(string)
	if !isText {
		return false, false
	}
	if name == "label_config" {
		stored, _ := got.(string)
		return sameLabelConfig(want, stored), true
	}
	form := projectStoredForm(name)
	if form == nil {
		return false, false
	}
	stored, _ := form(want)
	return sameJSON(stored, got), true
}

// projectStoredForm is how Label Studio rewrites the text field name before
// storing it (nil: stored as sent).
func projectStoredForm(name string) storedForm {
	for _, f := range projectSent {
		if f.name == name {
			return f.storedForm
		}
	}
	return nil
}

// addProjectAPIError reports a failed call, the server's messages about a
// project attribute (label_config, a setting) on that attribute.
func addProjectAPIError(diags *diag.Diagnostics, operation, summary string, err error) {
	diags.Append(apiErrorDiagnostics(err, apiFailure{summary: summary, operation: operation, attribute: isProjectAttribute})...)
}

func isProjectAttribute(name string) bool {
	if name == "title" || name == "label_config" {
		return true
	}
	for _, setting := range projectSettings {
		if setting.name == name {
			return true
		}
	}
	return false
}
