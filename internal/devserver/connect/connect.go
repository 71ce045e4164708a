// Package connect holds the stand-in's real connections to storage servers:
// for each Label Studio storage kind it validates a connection, lists the
// objects an import sync would see, reads them and writes exported objects,
// with Label Studio's own messages (API.md sections 4, 6.5 and 8).
package connect

import (
	"context"
	"fmt"
)

// Settings is one storage's stored fields, secrets included, as decoded from
// JSON (strings, bools, float64 or json.Number numbers, nil).
type Settings map[string]any

// Env is the server-wide configuration the connectors need.
type Env struct {
	// GCSEndpoint is the GCS JSON API endpoint (fake-gcs-server in tests).
	GCSEndpoint string
	// AzureEndpoint is the blob service URL with "{account}" standing for
	// the account name, e.g. "http://127.0.0.1:10000/{account}".
	AzureEndpoint string
	// AzureAccountName and AzureAccountKey are the fallback credentials
	// (AZURE_BLOB_ACCOUNT_NAME / AZURE_BLOB_ACCOUNT_KEY).
	AzureAccountName string
	AzureAccountKey  string
	// LocalFilesServingEnabled and LocalFilesDocumentRoot are Label
	// Studio's LOCAL_FILES_* settings.
	LocalFilesServingEnabled bool
	LocalFilesDocumentRoot   string
	// S3TrustedDomains lists the endpoint domains whose S3 errors are shown
	// as they are (S3_TRUSTED_STORAGE_DOMAINS); other custom endpoints get
	// Label Studio's "Debugging info is not available" 500.
	S3TrustedDomains []string
}

// Direction is "import" or "export".
type Direction string

const (
	Import Direction = "import"
	Export Direction = "export"
)

// Object is one listed object. Key is the object key (s3, gcs, azure), the
// absolute file path (localfiles) or the Redis key.
type Object struct {
	Key  string
	Size int64
}

// Connector is one storage kind's connection logic.
type Connector interface {
	// Validate tests the connection as Label Studio's validate_connection
	// does for this kind and direction (API.md 4.1).
	Validate(ctx context.Context, s Settings, dir Direction) error
	// List returns the objects an import sync considers, with the prefix and
	// recursive_scan semantics of API.md 8. regex_filter is applied by the
	// caller (full key; basename for localfiles; not at all for redis).
	List(ctx context.Context, s Settings) ([]Object, error)
	// Read returns an object's content.
	Read(ctx context.Context, s Settings, key string) ([]byte, error)
	// Write stores an exported object; key is the bare name ({annotation
	// id}), the connector applies the prefix or path (API.md 6.5).
	Write(ctx context.Context, s Settings, key string, data []byte) error
	// Delete removes an exported object (can_delete_objects).
	Delete(ctx context.Context, s Settings, key string) error
	// BlobURL is the URI a use_blob_urls task holds for key (API.md 6.4).
	BlobURL(s Settings, key string) string
}

// Error is a connection failure as Label Studio reports it.
type Error struct {
	// Message is Label Studio's text, e.g. "Cannot find bucket x in S3".
	Message string
	// Field is the validation_errors key; empty means non_field_errors.
	Field string
	// Internal marks failures Label Studio does not catch, so the request
	// ends as HTTP 500 with the generic envelope (API.md 4.1).
	Internal bool
	// Raised is the text of the exception behind Message when a serializer
	// translated it (S3's ClientError, e.g. "An error occurred (404) when
	// calling the HeadBucket operation: Not Found"). Where nothing translates
	// it, as in the sync view's unwrapped validate_connection (API.md 6.1),
	// that text is what Label Studio shows. Empty means Message.
	Raised string
	// Class is the Python exception class behind an uncaught failure
	// (S3StorageError, EndpointConnectionError, ...); the 500 envelope's
	// traceback ends with it.
	Class string
}

// ExceptionName is the Python class of the exception behind the error:
// Class, botocore's ClientError for a translated S3 answer, else Exception.
func (e *Error) ExceptionName() string {
	switch {
	case e.Class != "":
		return e.Class
	case e.Raised != "":
		return "botocore.exceptions.ClientError"
	}
	return "Exception"
}

// RaisedText is the exception text Label Studio shows where it does not
// translate the failure: Raised, or Message when there is none.
func (e *Error) RaisedText() string {
	if e.Raised != "" {
		return e.Raised
	}
	return e.Message
}

func (e *Error) Error() string { return e.Message }

// For returns the connector of a kind: s3, s3s, gcs, azure, redis or
// localfiles.
func For(kind string, env Env) (Connector, error) {
	if f, ok := registry[kind]; ok {
		return f(env), nil
	}
	return nil, fmt.Errorf("connect: unknown storage kind %q", kind)
}

// registry is filled by each kind's file.
var registry = map[string]func(Env) Connector{}
