package connect

import "strings"

// Label Studio's rules for where a cloud storage lists and writes (API.md 6.5
// and 8), read from label_studio/io_storages/{s3,gcs,azure_blob}/models.py.
// The storage preview (internal/storagepreview) keeps its own copy: the
// preview is tested against this server, so the two must not share one
// implementation that a single mistake would make wrong in both.
// TestListingRulesFollowLabelStudio checks both against the same cases.

// listPrefix is the Prefix an import sync lists under: iter_objects sends
// self.prefix.rstrip('/') + '/' when a prefix is set, and no Prefix otherwise.
func listPrefix(prefix string) string {
	if prefix == "" {
		return ""
	}
	return strings.TrimRight(prefix, "/") + "/"
}

// listDelimiter is the Delimiter an import sync lists with: '/' unless
// recursive_scan is set, with or without a prefix, so that a plain scan sees
// only the direct children.
func listDelimiter(recursiveScan bool) string {
	if !recursiveScan {
		return "/"
	}
	return ""
}

// exportKey is where an export sync writes an object named name:
// str(self.prefix) + '/' + name with a prefix, the bare name without one.
// The prefix is used as configured: a trailing '/' doubles the slash.
func exportKey(prefix, name string) string {
	if prefix != "" {
		return prefix + "/" + name
	}
	return name
}
