package provider

import "strings"

// kindNames lists a name of every kind in the kinds table, so that a new
// kind appears in every description that lists kinds by itself.
func kindNames(name func(storageKind) string) []string {
	names := make([]string, 0, len(storageKinds))
	for _, k := range storageKinds {
		names = append(names, name(k))
	}
	return names
}

// typeNameOf and apiKindOf name a kind as in the resource type names and as
// Label Studio's API does.
func typeNameOf(k storageKind) string { return k.typeName }
func apiKindOf(k storageKind) string  { return k.apiKind }

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

// storageKindNamed is the row of the kinds table that a name means: the
// kind of a resource type name or the API's storage type.
func storageKindNamed(name string) (storageKind, bool) {
	for _, k := range storageKinds {
		if name == k.typeName || name == k.apiKind {
			return k, true
		}
	}
	return storageKind{}, false
}
