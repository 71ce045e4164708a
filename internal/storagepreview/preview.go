// Package storagepreview tells, before a sync, what a Label Studio cloud
// storage would do: which objects an import sync would consider (with Label
// Studio's own listing rules), whether its task files parse, whether a
// browser at Label Studio's origin may load the objects (bucket CORS rules),
// and whether an export storage can write. The rules and the report live
// here; each storage service is a Backend (S3 first). It knows nothing of
// Terraform or of Label Studio's API.
package storagepreview

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"strings"
)

// Object is one listed object.
type Object struct {
	Key  string
	Size int64
}

// ListQuery is one listing as a sync issues it.
type ListQuery struct {
	// Prefix is the normalised prefix (ListPrefix), "" for the whole bucket.
	Prefix string
	// Delimiter is "/" for direct children only, "" for a recursive scan.
	Delimiter string
	// Limit is the most objects the backend needs to return; it sizes its
	// pages by it (S3: at most 1000 keys a page).
	Limit int
}

// Backend is one storage service's access to one bucket.
type Backend interface {
	// List calls visit for each object of the listing in key order, folder
	// markers included, until visit returns ErrStop (which List does not
	// return), an error, or the listing ends.
	List(ctx context.Context, q ListQuery, visit func(Object) error) error
	// Read returns at most maxBytes of an object.
	Read(ctx context.Context, key string, maxBytes int64) ([]byte, error)
	// Put stores a small object; Delete removes it.
	Put(ctx context.Context, key string, data []byte) error
	Delete(ctx context.Context, key string) error
	// CORSRules returns the bucket's CORS rules (none: an empty list), or
	// an error whose text says why they cannot be read.
	CORSRules(ctx context.Context) ([]CORSRule, error)
}

// ErrStop ends a listing early.
var ErrStop = errors.New("stop listing")

// Direction is "import" or "export".
type Direction string

const (
	Import Direction = "import"
	Export Direction = "export"
)

// Defaults of Options.
const (
	DefaultMaxObjects = 10000
	// MaxKeys is how many matching keys a report lists.
	MaxKeys = 20
	// TaskFilesChecked is how many matching task files are read.
	TaskFilesChecked = 5
	// MaxTaskFileBytes bounds the size of a task file read for checking.
	MaxTaskFileBytes = 16 << 20
	// ProbePrefix starts the name of the object a write check puts and
	// deletes, so that one left behind is recognisable.
	ProbePrefix = "labelstudio-write-check-"
)

// Options are a storage's scan settings and what to check.
type Options struct {
	Direction     Direction
	Prefix        string
	RegexFilter   string
	RecursiveScan bool
	UseBlobURLs   bool
	// MaxObjects bounds how many listed objects are examined; 0 means
	// DefaultMaxObjects.
	MaxObjects int
	// Origin is the Label Studio origin whose browser loads the objects;
	// CheckCORS asks for the CORS check (import storages with presigned
	// URLs).
	Origin    string
	CheckCORS bool
	// CheckWrite puts and deletes one probe object (export storages).
	CheckWrite bool
}

// Report is what a preview found.
type Report struct {
	// ObjectCount is how many objects the next sync would consider; nil
	// when the regex_filter cannot be evaluated (see Warnings).
	ObjectCount *int
	// Truncated: listing stopped at MaxObjects, so the bucket holds more.
	Truncated bool
	// Keys are the first MaxKeys matching keys, in listing order.
	Keys []string
	// TaskFileErrors are the problems of the first TaskFilesChecked
	// matching objects read as task files (use_blob_urls = false).
	TaskFileErrors []TaskFileError
	CORS           CORSCheck
	Write          WriteCheck
	Warnings       []string
}

// WriteStatus is the outcome of a write check.
type WriteStatus string

const (
	WriteOK         WriteStatus = "ok"
	WriteDenied     WriteStatus = "denied"
	WriteNotChecked WriteStatus = "not_checked"
)

// WriteCheck is the write part of a report.
type WriteCheck struct {
	Status  WriteStatus
	Message string
}

// ListPrefix is Label Studio's listing prefix: prefix.rstrip('/') + '/', or
// nothing without a prefix.
func ListPrefix(prefix string) string {
	if prefix == "" {
		return ""
	}
	return strings.TrimRight(prefix, "/") + "/"
}

// Delimiter is "/" (direct children only) unless the scan is recursive; it
// applies with and without a prefix.
func Delimiter(recursive bool) string {
	if recursive {
		return ""
	}
	return "/"
}

// ExportKey is where Label Studio's export writes name: prefix + "/" + name
// as they are, without normalising the prefix.
func ExportKey(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "/" + name
}

// Run previews a storage. Errors reaching the bucket are returned as they
// are (a backend returns *Error for those it can explain); problems of the
// objects themselves go into the report.
func Run(ctx context.Context, b Backend, o Options) (*Report, error) {
	r := &Report{
		CORS:  CORSCheck{Status: CORSNotNeeded},
		Write: WriteCheck{Status: WriteNotChecked, Message: "check_write is false: write access was not checked."},
	}
	if o.Direction == Export {
		return r, runExport(ctx, b, o, r)
	}
	if err := scan(ctx, b, o, r); err != nil {
		return nil, err
	}
	if o.CheckCORS {
		r.CORS = checkCORS(ctx, b, o.Origin)
	} else {
		r.CORS.Message = "Label Studio proxies the objects (presign = false), so the browser never fetches them from the bucket."
	}
	return r, nil
}

func scan(ctx context.Context, b Backend, o Options, r *Report) error {
	limit := o.MaxObjects
	if limit <= 0 {
		limit = DefaultMaxObjects
	}
	filter, filterErr := CompileFilter(o.RegexFilter)
	evaluable := filterErr == nil
	if !evaluable {
		r.Warnings = append(r.Warnings, fmt.Sprintf(
			"regex_filter %q cannot be evaluated here: %v. Label Studio applies it with Python's re.match, so object_count and keys are left unknown rather than guessed.",
			o.RegexFilter, filterErr))
	}
	count, listed := 0, 0
	var candidates []string // matching keys whose task files get checked
	err := b.List(ctx, ListQuery{Prefix: ListPrefix(o.Prefix), Delimiter: Delimiter(o.RecursiveScan), Limit: limit + 1}, func(obj Object) error {
		if listed == limit {
			r.Truncated = true
			return ErrStop
		}
		listed++
		if strings.HasSuffix(obj.Key, "/") || !evaluable || !filter.Match(obj.Key) {
			return nil
		}
		count++
		if len(r.Keys) < MaxKeys {
			r.Keys = append(r.Keys, obj.Key)
		}
		if !o.UseBlobURLs && len(candidates) < TaskFilesChecked {
			if obj.Size > MaxTaskFileBytes {
				r.Warnings = append(r.Warnings, fmt.Sprintf("%s is %d bytes, more than the %d the preview reads: its tasks were not checked.", obj.Key, obj.Size, MaxTaskFileBytes))
			} else {
				candidates = append(candidates, obj.Key)
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if evaluable {
		r.ObjectCount = &count
	}
	for _, key := range candidates {
		content, err := b.Read(ctx, key, MaxTaskFileBytes)
		if err != nil {
			r.TaskFileErrors = append(r.TaskFileErrors, TaskFileError{Key: key, Message: "cannot read it: " + err.Error()})
			continue
		}
		_, problems := ParseTaskFile(key, content)
		for _, p := range problems {
			r.TaskFileErrors = append(r.TaskFileErrors, TaskFileError{Key: key, Message: p})
		}
	}
	return nil
}

func checkCORS(ctx context.Context, b Backend, origin string) CORSCheck {
	if origin == "" {
		return CORSCheck{Status: CORSCannotCheck, Message: "No origin to check: set origin to the address of Label Studio in the browser, e.g. https://label-studio.example.com."}
	}
	rules, err := b.CORSRules(ctx)
	if err != nil {
		return CORSCheck{Status: CORSCannotCheck, Message: "Cannot check CORS: " + err.Error()}
	}
	return EvaluateCORS(rules, CORSRequest{Origin: origin, Method: "GET"})
}

// runExport checks that the bucket answers (as Label Studio's validation
// does) and, with CheckWrite, that an object can be written under the
// prefix and removed again.
func runExport(ctx context.Context, b Backend, o Options, r *Report) error {
	err := b.List(ctx, ListQuery{Prefix: o.Prefix, Limit: 1}, func(Object) error { return ErrStop })
	if err != nil || !o.CheckWrite {
		return err
	}
	r.Write = probeWrite(ctx, b, o.Prefix)
	return nil
}

func probeWrite(ctx context.Context, b Backend, prefix string) WriteCheck {
	suffix := make([]byte, 8)
	_, _ = rand.Read(suffix)
	key := ExportKey(prefix, ProbePrefix+hex.EncodeToString(suffix))
	body := []byte(`{"written_by":"labelstudio storage preview","note":"a write check; safe to delete"}`)
	if err := b.Put(ctx, key, body); err != nil {
		return WriteCheck{Status: WriteDenied, Message: fmt.Sprintf("Cannot write %s: %v. Label Studio's export would fail the same way.", key, err)}
	}
	if err := b.Delete(ctx, key); err != nil {
		return WriteCheck{Status: WriteOK, Message: fmt.Sprintf(
			"Wrote %s, but cannot delete it (%v): delete it by hand. Exports work; deleting exported objects (can_delete_objects) would not.", key, err)}
	}
	return WriteCheck{Status: WriteOK, Message: fmt.Sprintf("Wrote and deleted %s.", key)}
}
