package provider

import "sort"

// The `kind` that names a storage to sync, in the storage sync resource and
// action.

// syncKindNames are the values `kind` accepts: each storage resource's kind
// (as in labelstudio_<kind>_import_storage) and the API's `type`, so that a
// storage resource's `type` attribute can be passed through as it is.
func syncKindNames() []string {
	seen := map[string]bool{}
	var names []string
	for _, k := range storageKinds {
		for _, name := range []string{k.typeName, k.apiKind} {
			if !seen[name] {
				seen[name] = true
				names = append(names, name)
			}
		}
	}
	sort.Strings(names)
	return names
}

// apiKindFor maps a `kind` value to the API's storage type.
func apiKindFor(kind string) (string, bool) {
	k, ok := storageKindNamed(kind)
	return k.apiKind, ok
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
		codeList(kindNames(typeNameOf), "or") + "), or the storage's `type` attribute where it differs (" + codeList(renamed, "or") + ")."
}
