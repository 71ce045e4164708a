package provider

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/hashicorp/terraform-plugin-go/tfprotov6"
	"github.com/hashicorp/terraform-plugin-go/tftypes"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/testenv"
)

// Terraform 1.11 cannot run actions, so the action is tested through the
// provider server's RPCs, the way Terraform 1.14 calls them.

const syncActionType = "labelstudio_storage_sync"

// actionHarness is a configured provider server's action RPCs and the
// action's schema.
type actionHarness struct {
	t          *testing.T
	actions    tfprotov6.ActionServer
	actionType tftypes.Object
}

func newActionHarness(t *testing.T, env *testenv.Env) *actionHarness {
	t.Helper()
	server, err := NewProtocol6Server("test")()
	if err != nil {
		t.Fatalf("provider server: %v", err)
	}
	schemas, err := server.GetProviderSchema(t.Context(), &tfprotov6.GetProviderSchemaRequest{})
	if err != nil || hasErrors(schemas.Diagnostics) {
		t.Fatalf("GetProviderSchema: %v %v", err, describeDiagnostics(schemas.Diagnostics))
	}
	actionSchema, ok := schemas.ActionSchemas[syncActionType]
	if !ok {
		t.Fatalf("no %s action in the provider schema", syncActionType)
	}
	actions, ok := server.(tfprotov6.ActionServer)
	if !ok {
		t.Fatalf("the provider server %T serves no actions", server)
	}
	h := &actionHarness{t: t, actions: actions, actionType: actionSchema.Schema.ValueType().(tftypes.Object)}

	providerType := schemas.Provider.ValueType().(tftypes.Object)
	config := dynamicValue(t, providerType, map[string]tftypes.Value{
		"url":     tftypes.NewValue(tftypes.String, env.URL),
		"api_key": tftypes.NewValue(tftypes.String, env.APIKey),
	})
	configured, err := server.ConfigureProvider(t.Context(), &tfprotov6.ConfigureProviderRequest{TerraformVersion: "1.14.0", Config: config})
	if err != nil || hasErrors(configured.Diagnostics) {
		t.Fatalf("ConfigureProvider: %v %v", err, describeDiagnostics(configured.Diagnostics))
	}
	return h
}

// dynamicValue builds an object of typ from attrs; attributes left out are
// null, as Terraform sends them.
func dynamicValue(t *testing.T, typ tftypes.Object, attrs map[string]tftypes.Value) *tfprotov6.DynamicValue {
	t.Helper()
	vals := make(map[string]tftypes.Value, len(typ.AttributeTypes))
	for name, attrType := range typ.AttributeTypes {
		vals[name] = tftypes.NewValue(attrType, nil)
	}
	for name, v := range attrs {
		if _, ok := typ.AttributeTypes[name]; !ok {
			t.Fatalf("no attribute %q in %s", name, typ)
		}
		vals[name] = v
	}
	dv, err := tfprotov6.NewDynamicValue(typ, tftypes.NewValue(typ, vals))
	if err != nil {
		t.Fatalf("dynamic value: %v", err)
	}
	return &dv
}

// config is the action's configuration naming refs, plus extra attributes.
func (h *actionHarness) config(refs []client.StorageRef, extra map[string]tftypes.Value) *tfprotov6.DynamicValue {
	storagesType := h.actionType.AttributeTypes["storages"].(tftypes.List)
	elemType := storagesType.ElementType.(tftypes.Object)
	elems := make([]tftypes.Value, 0, len(refs))
	for _, ref := range refs {
		elems = append(elems, tftypes.NewValue(elemType, map[string]tftypes.Value{
			"kind":      tftypes.NewValue(tftypes.String, ref.Kind),
			"direction": tftypes.NewValue(tftypes.String, string(ref.Direction)),
			"id":        tftypes.NewValue(tftypes.Number, ref.ID),
		}))
	}
	attrs := map[string]tftypes.Value{"storages": tftypes.NewValue(storagesType, elems)}
	for name, v := range extra {
		attrs[name] = v
	}
	return dynamicValue(h.t, h.actionType, attrs)
}

func (h *actionHarness) validate(config *tfprotov6.DynamicValue) []*tfprotov6.Diagnostic {
	resp, err := h.actions.ValidateActionConfig(h.t.Context(), &tfprotov6.ValidateActionConfigRequest{ActionType: syncActionType, Config: config})
	if err != nil {
		h.t.Fatalf("ValidateActionConfig: %v", err)
	}
	return resp.Diagnostics
}

// invoke plans and invokes the action and returns the progress messages and
// the final diagnostics.
func (h *actionHarness) invoke(config *tfprotov6.DynamicValue) (progress []string, diags []*tfprotov6.Diagnostic) {
	ctx := h.t.Context()
	plan, err := h.actions.PlanAction(ctx, &tfprotov6.PlanActionRequest{ActionType: syncActionType, Config: config})
	if err != nil || hasErrors(plan.Diagnostics) {
		h.t.Fatalf("PlanAction: %v %v", err, describeDiagnostics(plan.Diagnostics))
	}
	stream, err := h.actions.InvokeAction(ctx, &tfprotov6.InvokeActionRequest{ActionType: syncActionType, Config: config})
	if err != nil {
		h.t.Fatalf("InvokeAction: %v", err)
	}
	completed := false
	for ev := range stream.Events {
		switch e := ev.Type.(type) {
		case tfprotov6.ProgressInvokeActionEventType:
			progress = append(progress, e.Message)
		case tfprotov6.CompletedInvokeActionEventType:
			completed = true
			diags = e.Diagnostics
		}
	}
	if !completed {
		h.t.Fatal("the invocation never completed")
	}
	return progress, diags
}

func hasErrors(diags []*tfprotov6.Diagnostic) bool {
	for _, d := range diags {
		if d.Severity == tfprotov6.DiagnosticSeverityError {
			return true
		}
	}
	return false
}

func describeDiagnostics(diags []*tfprotov6.Diagnostic) string {
	var b strings.Builder
	for _, d := range diags {
		fmt.Fprintf(&b, "[%s] %s: %s\n", d.Severity, d.Summary, d.Detail)
	}
	return b.String()
}

// containsInOrder reports whether every want appears in got, in order, each
// as a substring of a later message than the one before.
func containsInOrder(got []string, want ...string) bool {
	i := 0
	for _, msg := range got {
		if i < len(want) && strings.Contains(msg, want[i]) {
			i++
		}
	}
	return i == len(want)
}

func TestStorageSyncActionInvoke(t *testing.T) {
	env := testenv.Start(t, testenv.Options{SyncMode: devserver.SyncQueued, SyncObjectDelay: 50 * time.Millisecond})
	c := testClient(t, env)
	project := testProject(t, c)
	good := testenv.LocalImportStorage(t, env, c, project, "action-good", map[string]string{
		"a.json": `{"text": "a"}`, "b.json": `{"text": "b"}`, "c.json": `{"text": "c"}`,
	})
	h := newActionHarness(t, env)

	t.Run("progress per status change", func(t *testing.T) {
		progress, diags := h.invoke(h.config([]client.StorageRef{good}, nil))

		if len(diags) != 0 {
			t.Fatalf("diagnostics: %s", describeDiagnostics(diags))
		}
		name := describeStorage(good)
		if !containsInOrder(progress, "Starting the sync of the "+name, name+": queued", "ended completed with 3 new tasks") {
			t.Errorf("progress messages:\n%s", strings.Join(progress, "\n"))
		}
		tasks, err := testenv.ListTasks(t.Context(), c, project)
		if err != nil || len(tasks) != 3 {
			t.Errorf("%d tasks (%v), want 3", len(tasks), err)
		}
	})

	t.Run("a failed sync is an error quoting the traceback", func(t *testing.T) {
		bad := testenv.LocalImportStorage(t, env, c, project, "action-bad", map[string]string{"broken.json": `{"text": `})

		progress, diags := h.invoke(h.config([]client.StorageRef{good, bad}, nil))

		if len(diags) != 1 || diags[0].Severity != tfprotov6.DiagnosticSeverityError ||
			!strings.Contains(diags[0].Detail, describeStorage(bad)) || !strings.Contains(diags[0].Detail, "Can't import JSON-formatted tasks") {
			t.Fatalf("diagnostics: %s", describeDiagnostics(diags))
		}
		if !containsInOrder(progress, "Sync of the "+describeStorage(bad)+" ended failed") {
			t.Errorf("progress messages:\n%s", strings.Join(progress, "\n"))
		}
	})

	t.Run("validation", func(t *testing.T) {
		diags := h.validate(h.config([]client.StorageRef{good, {Kind: "local", Direction: client.Import, ID: good.ID}}, nil))
		if !hasErrors(diags) || !strings.Contains(describeDiagnostics(diags), "Storage listed twice") {
			t.Errorf("a storage named twice (by both kind names): %s", describeDiagnostics(diags))
		}
		diags = h.validate(h.config([]client.StorageRef{{Kind: "ftp", Direction: client.Import, ID: 1}}, nil))
		if !hasErrors(diags) || !strings.Contains(describeDiagnostics(diags), "azure_blob") {
			t.Errorf("an unknown kind should list the valid ones: %s", describeDiagnostics(diags))
		}
		diags = h.validate(h.config([]client.StorageRef{good}, map[string]tftypes.Value{
			"on_completed_with_errors": tftypes.NewValue(tftypes.String, "ignore"),
		}))
		if !hasErrors(diags) {
			t.Errorf("on_completed_with_errors = ignore was accepted")
		}
	})

	t.Run("timeout", func(t *testing.T) {
		slow := testenv.LocalImportStorage(t, env, c, project, "action-slow", map[string]string{})
		dir := testenv.LocalDir(t, env, "action-slow")
		for i := range 40 {
			testenv.WriteFile(t, dir, fmt.Sprintf("t%02d.json", i), []byte(`{"text": "x"}`))
		}
		timeoutsType := h.actionType.AttributeTypes["timeouts"].(tftypes.Object)

		_, diags := h.invoke(h.config([]client.StorageRef{slow}, map[string]tftypes.Value{
			"timeouts": tftypes.NewValue(timeoutsType, map[string]tftypes.Value{"invoke": tftypes.NewValue(tftypes.String, "500ms")}),
		}))

		if !hasErrors(diags) || !strings.Contains(describeDiagnostics(diags), "within the timeout of 500ms") {
			t.Errorf("diagnostics: %s", describeDiagnostics(diags))
		}
	})
}
