package provider

import "strings"

// The kind names that descriptions list, from the kinds table, so that a
// new kind appears in every description by itself. They are computed when a
// schema is built: the table is complete only once every init has run.

// kindTypeNames are the kinds as in the resource type names.
func kindTypeNames() []string {
	names := make([]string, 0, len(storageKinds))
	for _, k := range storageKinds {
		names = append(names, k.typeName)
	}
	return names
}

// kindAPINames are the kinds as Label Studio's API names them.
func kindAPINames() []string {
	names := make([]string, 0, len(storageKinds))
	for _, k := range storageKinds {
		names = append(names, k.apiKind)
	}
	return names
}

// codeList renders names as "`a`, `b` or `c`".
func codeList(names []string, conjunction string) string {
	quoted := make([]string, len(names))
	for i, n := range names {
		quoted[i] = "`" + n + "`"
	}
	if len(quoted) < 2 {
		return strings.Join(quoted, "")
	}
	return strings.Join(quoted[:len(quoted)-1], ", ") + " " + conjunction + " " + quoted[len(quoted)-1]
}

// syncKindDescription describes the `kind` of a storage to sync.
func syncKindDescription() string {
	var renamed []string
	for _, k := range storageKinds {
		if k.apiKind != k.typeName {
			renamed = append(renamed, k.apiKind)
		}
	}
	return "The storage kind: the `<kind>` of the storage's resource type `labelstudio_<kind>_<direction>_storage` (" +
		codeList(kindTypeNames(), "or") + "), or the storage's `type` attribute where it differs (" + codeList(renamed, "or") + ")."
}
