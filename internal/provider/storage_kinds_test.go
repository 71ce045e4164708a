package provider

import (
	"fmt"
	"testing"

	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/client"
	"github.com/labelstudio-tf/terraform-provider-labelstudio/internal/devserver"
)

// The provider's kinds table and the stand-in's (internal/devserver/kinds.go)
// are both written from Label Studio's serializers; these tests hold one
// against the other field by field, so that neither drifts unnoticed, and
// check that the provider's table refers only to fields it has.

var directions = []client.Direction{client.Import, client.Export}

// fieldsOutsideTable are the stand-in's fields that every storage resource
// models apart from the table (storage_schema.go).
var fieldsOutsideTable = map[string]bool{
	attrProject: true, attrStatus: true, attrLastSync: true, attrLastSyncCount: true,
	attrLastSyncJob: true, attrTraceback: true, attrMeta: true,
}

// requiredByProviderOnly are fields the serializer lets a create omit but
// the provider requires, and why.
var requiredByProviderOnly = map[string]string{
	"localfiles.path": "Label Studio's connection check refuses a local storage without a path",
}

// standInOnlyKinds are the stand-in's kinds that exist for its own tests
// only (none today).
var standInOnlyKinds = map[string]bool{}

func TestKindsTableMatchesTheStandIn(t *testing.T) {
	standIn := make(map[string]devserver.KindFields)
	for _, table := range devserver.StorageTables() {
		standIn[table.Kind+" "+table.Direction] = table
	}
	for _, kind := range storageKinds {
		for _, dir := range directions {
			key := kind.apiKind + " " + string(dir)
			theirs, ok := standIn[key]
			if !ok {
				t.Errorf("%s: the stand-in has no such kind", key)
				continue
			}
			delete(standIn, key)
			if theirs.Enterprise != kind.enterprise {
				t.Errorf("%s: enterprise %v in the provider, %v in the stand-in", key, kind.enterprise, theirs.Enterprise)
			}
			want := make(map[string]devserver.FieldView)
			for _, f := range theirs.Fields {
				if !fieldsOutsideTable[f.Name] {
					want[f.Name] = f
				}
			}
			for _, f := range kind.fieldsFor(dir) {
				sf, ok := want[f.name]
				delete(want, f.name)
				if !ok {
					t.Errorf("%s: %s is not a field of the stand-in's serializer", key, f.name)
					continue
				}
				compareField(t, key, kind.apiKind, dir, f, sf)
			}
			for name := range want {
				t.Errorf("%s: the stand-in's serializer has %s, the provider's table does not", key, name)
			}
		}
	}
	for key, table := range standIn {
		if !standInOnlyKinds[table.Kind] {
			t.Errorf("%s: the stand-in has this kind, the provider's table does not", key)
		}
	}
}

func compareField(t *testing.T, key, apiKind string, dir client.Direction, f fieldSpec, sf devserver.FieldView) {
	t.Helper()
	if got := jsonTypes[f.typ]; got != sf.Type {
		t.Errorf("%s: %s is a %s in the provider, a %s in the stand-in", key, f.name, got, sf.Type)
	}
	if neverReturned := f.secret || f.hidden; neverReturned != sf.Secret {
		t.Errorf("%s: %s is never returned: %v in the provider (secret or hidden), %v in the stand-in", key, f.name, neverReturned, sf.Secret)
	}
	if f.required != sf.Required && (!f.required || requiredByProviderOnly[apiKind+"."+f.name] == "") {
		t.Errorf("%s: %s required %v in the provider, %v in the stand-in", key, f.name, f.required, sf.Required)
	}
	// Printed, int64(1) and the stand-in's JSON float64(1) read alike.
	ours, theirs := f.defaultFor(dir), sf.Default
	switch {
	case ours != nil && fmt.Sprint(ours) != fmt.Sprint(theirs):
		t.Errorf("%s: %s defaults to %v in the provider, %v in the stand-in", key, f.name, ours, theirs)
	case ours == nil && theirs != nil && !f.serverDefault && !f.secret && (!f.blankWhenUnset || theirs != ""):
		// A secret is never read back; a blankWhenUnset field's "" reads as unset.
		t.Errorf("%s: the stand-in defaults %s to %v, the provider declares no default (a plan would show a change)", key, f.name, theirs)
	}
	// A field with a default that the server may hold as null must read
	// that null as the default, or an unset attribute would diff forever.
	if nullable := sf.Nullable && ours != nil && !f.secret; nullable != f.nullReadsAsDefault {
		t.Errorf("%s: %s has a default and is nullable in the stand-in: %v; nullReadsAsDefault in the provider: %v", key, f.name, nullable, f.nullReadsAsDefault)
	}
}

// jsonTypes name a field's JSON type the way devserver.FieldView does, and
// goTypes the Go type of its defaults.
var (
	jsonTypes = map[*fieldType]string{fieldString: "string", fieldLocalPath: "string", fieldBool: "bool", fieldInt64: "int"}
	goTypes   = map[*fieldType]string{fieldString: "string", fieldLocalPath: "string", fieldBool: "bool", fieldInt64: "int64"}
)

func TestKindsTableReferences(t *testing.T) {
	typeNames, apiKinds := make(map[string]bool), make(map[string]bool)
	for _, kind := range storageKinds {
		if typeNames[kind.typeName] || apiKinds[kind.apiKind] {
			t.Errorf("%s: type name %q or API kind %q used twice", kind.typeName, kind.typeName, kind.apiKind)
		}
		typeNames[kind.typeName], apiKinds[kind.apiKind] = true, true

		secretIn := make(map[client.Direction]map[string]bool)
		for _, dir := range directions {
			secretIn[dir] = make(map[string]bool)
			names := make(map[string]bool)
			for _, f := range kind.fieldsFor(dir) {
				where := fmt.Sprintf("%s %s: %s", kind.typeName, dir, f.name)
				if names[f.name] {
					t.Errorf("%s appears twice", where)
				}
				names[f.name] = true
				secretIn[dir][f.name] = f.secret
				checkField(t, where, f)
			}
		}
		isSecret := func(name string) bool { return secretIn[client.Import][name] && secretIn[client.Export][name] }
		for _, group := range kind.requiredTogether {
			if len(group) < 2 {
				t.Errorf("%s: credential group %v has fewer than two fields", kind.typeName, group)
			}
			for _, name := range group {
				if !isSecret(name) {
					t.Errorf("%s: credential group %v names %s, which is not a secret field of the kind in both directions", kind.typeName, group, name)
				}
			}
		}
		for name, group := range kind.requires {
			for _, needed := range append([]string{name}, group...) {
				if !isSecret(needed) {
					t.Errorf("%s: requires[%s] names %s, which is not a secret field of the kind in both directions", kind.typeName, name, needed)
				}
			}
		}
	}
}

// checkField checks one field's own declaration: its direction, and
// defaults only where it exists, of its type, and never on a required or
// secret field.
func checkField(t *testing.T, where string, f fieldSpec) {
	t.Helper()
	if f.direction != "" && f.direction != client.Import && f.direction != client.Export {
		t.Errorf("%s: direction %q", where, f.direction)
	}
	if f.secret && f.hidden {
		t.Errorf("%s: secret and hidden both", where)
	}
	for dir, value := range f.defaults {
		if !f.appliesTo(dir) {
			t.Errorf("%s: a default for %s, where the field does not exist", where, dir)
		}
		if got, want := fmt.Sprintf("%T", value), goTypes[f.typ]; got != want {
			t.Errorf("%s: default %#v is a %s, not a %s", where, value, got, want)
		}
	}
	if (f.required || f.secret) && (len(f.defaults) > 0 || f.serverDefault) {
		t.Errorf("%s: a required or secret field has a default", where)
	}
}
