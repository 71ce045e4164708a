package provider

import (
	"context"
	"fmt"

	"github.com/hashicorp/terraform-plugin-framework-timeouts/resource/timeouts"
	"github.com/hashicorp/terraform-plugin-framework-validators/int64validator"
	"github.com/hashicorp/terraform-plugin-framework-validators/stringvalidator"
	"github.com/hashicorp/terraform-plugin-framework/path"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/int64planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/planmodifier"
	"github.com/hashicorp/terraform-plugin-framework/resource/schema/stringplanmodifier"
	"github.com/hashicorp/terraform-plugin-framework/schema/validator"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
)

// Names of the attributes every storage resource has besides its fields.
const (
	attrID            = "id"
	attrProject       = "project"
	attrType          = "type"
	attrCreatedAt     = "created_at"
	attrStatus        = "status"
	attrLastSync      = "last_sync"
	attrLastSyncCount = "last_sync_count"
	attrLastSyncJob   = "last_sync_job"
	attrTraceback     = "traceback"
	attrMeta          = "meta"
	attrTimeouts      = "timeouts"
)

// syncBookkeeping are the attributes only syncs change.
var syncBookkeeping = []fieldSpec{
	{name: attrStatus, typ: fieldString, computed: true, description: "Status of the last sync: `initialized`, `queued`, `in_progress`, `completed`, `completed_with_errors` or `failed`. Updated by syncs; never causes a change."},
	{name: attrLastSync, typ: fieldString, computed: true, description: "When the last successful sync finished, or null."},
	{name: attrLastSyncCount, typ: fieldInt64, computed: true, direction: client.Import, description: "Number of new tasks the last sync created, or null."},
	{name: attrLastSyncCount, typ: fieldInt64, computed: true, direction: client.Export, description: "Number of annotations the last sync wrote, or null."},
	{name: attrLastSyncJob, typ: fieldString, computed: true, description: "ID of the background job of the last sync, or null when it ran inside the request."},
	{name: attrTraceback, typ: fieldString, computed: true, description: "Error text of the last failed (or partly failed) sync, or null."},
	{name: attrMeta, typ: fieldString, computed: true, description: "Sync bookkeeping as a JSON object (attempts, timestamps, `tasks_existed`, `total_annotations`, …)."},
}

// writeOnlyName and versionName name the write-only twin of a secret and
// the attribute whose change sends it.
func writeOnlyName(secret string) string { return secret + "_wo" }
func versionName(secret string) string   { return secret + "_wo_version" }

// storageSchema builds the schema of one kind in one direction from the table.
func storageSchema(ctx context.Context, kind storageKind, dir client.Direction) schema.Schema {
	attrs := map[string]schema.Attribute{
		attrID: schema.Int64Attribute{
			Computed:            true,
			MarkdownDescription: "Numeric ID of the storage in Label Studio. Import an existing storage with this ID.",
			PlanModifiers:       []planmodifier.Int64{int64planmodifier.UseStateForUnknown()},
		},
		attrProject: schema.Int64Attribute{
			CustomType:          wholeNumberType{},
			Required:            true,
			MarkdownDescription: "ID of the project the storage belongs to. Changing it replaces the storage; a replaced import storage that is synced again imports every object again as new, duplicate tasks.",
			PlanModifiers:       []planmodifier.Int64{int64planmodifier.RequiresReplace()},
		},
		attrType: schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: fmt.Sprintf("Storage type as Label Studio reports it (`%s`).", kind.apiKind),
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		attrCreatedAt: schema.StringAttribute{
			Computed:            true,
			MarkdownDescription: "When the storage was created (ISO 8601).",
			PlanModifiers:       []planmodifier.String{stringplanmodifier.UseStateForUnknown()},
		},
		attrTimeouts: checkedTimeouts(timeouts.Attributes(ctx, timeouts.Opts{Create: true, Update: true, Delete: true})),
	}
	for _, f := range syncBookkeeping {
		if f.appliesTo(dir) {
			attrs[f.name] = fieldAttribute(f, dir)
		}
	}
	for _, f := range kind.fieldsFor(dir) {
		attrs[f.name] = fieldAttribute(f, dir)
		if f.secret {
			attrs[writeOnlyName(f.name)] = schema.StringAttribute{
				Optional:            true,
				Sensitive:           true,
				WriteOnly:           true,
				MarkdownDescription: fmt.Sprintf("Write-only variant of `%s` (Terraform 1.11+): never stored in plan or state. Set `%s` with it and change that number to send a new value.", f.name, versionName(f.name)),
				Validators: []validator.String{
					stringvalidator.ConflictsWith(path.MatchRoot(f.name)),
					stringvalidator.AlsoRequires(path.MatchRoot(versionName(f.name))),
				},
			}
			attrs[versionName(f.name)] = schema.Int64Attribute{
				CustomType:          wholeNumberType{},
				Optional:            true,
				MarkdownDescription: fmt.Sprintf("Version of `%s`: any change sends the current write-only value to Label Studio.", writeOnlyName(f.name)),
				Validators: []validator.Int64{
					int64validator.AlsoRequires(path.MatchRoot(writeOnlyName(f.name))),
				},
			}
		}
	}

	return schema.Schema{
		MarkdownDescription: storageDescription(kind, dir),
		Attributes:          attrs,
	}
}

func storageDescription(kind storageKind, dir client.Direction) string {
	var what string
	if dir == client.Import {
		what = fmt.Sprintf("Manages a Label Studio import (source) storage on %s: syncing it creates one task per new object. Every attribute but `project` is updated in place; replacing the storage and syncing again would import every object again as duplicate tasks, so consider `lifecycle { prevent_destroy = true }`.", kind.description)
	} else {
		what = fmt.Sprintf("Manages a Label Studio export (target) storage on %s: Label Studio writes annotations to it. Creating it may immediately export every annotation of the project, and every saved annotation is exported to it afterwards.", kind.description)
	}
	what += " The connection is checked on every create (by Label Studio's create itself, or through its validate endpoint first where the create does not test it) and before every update; nothing is created or changed when the check fails."
	for _, f := range kind.fieldsFor(dir) {
		if f.secret {
			return what + " Secrets are never read back from Label Studio: prefer the write-only `*_wo` attributes."
		}
	}
	return what
}

// fieldAttribute is the schema attribute of one table field.
func fieldAttribute(f fieldSpec, dir client.Direction) schema.Attribute {
	a := f.attributeSpec(dir)
	a.description = f.description
	if f.secret {
		a.description += fmt.Sprintf(" Stored in state (sensitive); prefer `%s`. Never read back from Label Studio, so changes made outside Terraform are not detected.", writeOnlyName(f.name))
		a.checks = append(a.checks,
			stringvalidator.ConflictsWith(path.MatchRoot(writeOnlyName(f.name))),
			stringvalidator.PreferWriteOnlyAttribute(path.MatchRoot(writeOnlyName(f.name))),
		)
	}
	return f.typ.resourceAttribute(a)
}
