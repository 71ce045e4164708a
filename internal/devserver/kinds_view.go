package devserver

// KindFields is the stand-in's storage table as other packages may read it:
// a kind's fields in one direction, so that a test can hold another table
// (the provider's) against this one without reaching into the handlers.
type KindFields struct {
	Kind       string
	Direction  string
	Enterprise bool
	Fields     []FieldView
}

// FieldView is one serializer field of a storage.
type FieldView struct {
	Name string
	// Type is "string", "bool", "int", "json", "datetime", "status" or
	// "project".
	Type     string
	Required bool
	// Secret fields are accepted and never returned.
	Secret bool
	// Nullable fields accept, store and return null.
	Nullable bool
	// Default is what a create stores when the field is absent (JSON form:
	// numbers are float64), nil for none.
	Default any
}

var typeNames = map[fieldType]string{
	typeString: "string", typeBool: "bool", typeInt: "int", typeJSON: "json",
	typeDateTime: "datetime", typeStatus: "status", typeProject: "project", typeFloat: "float",
}

// StorageTables lists every kind in both directions, whatever the edition
// or configuration enables.
func StorageTables() []KindFields {
	var out []KindFields
	for _, k := range kinds {
		for _, dir := range []string{dirImport, dirExport} {
			view := KindFields{Kind: k.name, Direction: dir, Enterprise: k.enterprise}
			for _, f := range k.fieldsOf(dir) {
				view.Fields = append(view.Fields, FieldView{
					Name: f.name, Type: typeNames[f.typ], Required: f.required, Secret: f.secret, Nullable: f.nullable, Default: f.modelDefault,
				})
			}
			out = append(out, view)
		}
	}
	return out
}
