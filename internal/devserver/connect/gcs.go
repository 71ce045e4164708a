//go:build !localfiles_only

package connect

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"

	"cloud.google.com/go/storage"
	"google.golang.org/api/googleapi"
	"google.golang.org/api/iterator"
	"google.golang.org/api/option"
)

func init() { registry["gcs"] = newGCSConnector }

type gcsConnector struct{ env Env }

func newGCSConnector(env Env) Connector { return gcsConnector{env: env} }

// client connects to Env.GCSEndpoint when set (an emulator, which cannot
// check credentials, so none are sent), otherwise to Google with the
// storage's service-account JSON or Application Default Credentials.
func (c gcsConnector) client(ctx context.Context, s Settings) (*storage.Client, error) {
	credentials := s.String("google_application_credentials")
	if credentials != "" {
		var parsed map[string]any
		if err := json.Unmarshal([]byte(credentials), &parsed); err != nil {
			return nil, &Error{Message: "Google Application Credentials must be valid JSON string. " + err.Error()}
		}
	}
	var opts []option.ClientOption
	switch {
	case c.env.GCSEndpoint != "":
		opts = append(opts, option.WithEndpoint(strings.TrimRight(c.env.GCSEndpoint, "/")+"/storage/v1/"), option.WithoutAuthentication())
	case credentials != "":
		opts = append(opts, option.WithAuthCredentialsJSON(option.ServiceAccount, []byte(credentials)))
	}
	return storage.NewClient(ctx, opts...)
}

// withBucket runs fn on the storage's bucket with a fresh client.
func (c gcsConnector) withBucket(ctx context.Context, s Settings, fn func(*storage.BucketHandle) error) error {
	client, err := c.client(ctx, s)
	if err != nil {
		return err
	}
	defer func() { _ = client.Close() }()
	return fn(client.Bucket(s.String("bucket")))
}

// apiBase is the URL google-cloud-storage names in its error messages.
func (c gcsConnector) apiBase() string {
	if c.env.GCSEndpoint != "" {
		return strings.TrimRight(c.env.GCSEndpoint, "/")
	}
	return "https://storage.googleapis.com"
}

// bucketError is google.api_core's text for a failed get_bucket.
func (c gcsConnector) bucketError(bucket string, err error) error {
	url := fmt.Sprintf("%s/storage/v1/b/%s?projection=noAcl&prettyPrint=false", c.apiBase(), bucket)
	if errors.Is(err, storage.ErrBucketNotExist) {
		return &Error{Message: fmt.Sprintf("404 GET %s: The specified bucket does not exist.", url)}
	}
	var apiErr *googleapi.Error
	if errors.As(err, &apiErr) {
		return &Error{Message: fmt.Sprintf("%d GET %s: %s", apiErr.Code, url, apiErr.Message)}
	}
	var ce *Error
	if errors.As(err, &ce) {
		return ce
	}
	return &Error{Message: err.Error()}
}

func (c gcsConnector) Validate(ctx context.Context, s Settings, dir Direction) error {
	bucket, prefix := s.String("bucket"), s.String("prefix")
	return c.withBucket(ctx, s, func(b *storage.BucketHandle) error {
		if _, err := b.Attrs(ctx); err != nil {
			return c.bucketError(bucket, err)
		}
		if dir != Import || prefix == "" {
			return nil
		}
		_, err := b.Objects(ctx, &storage.Query{Prefix: prefix}).Next()
		if errors.Is(err, iterator.Done) {
			return &Error{Message: fmt.Sprintf("No blobs found in %s/%s or prefix doesn't exist", bucket, prefix)}
		}
		if err != nil {
			return &Error{Message: err.Error()}
		}
		return nil
	})
}

func (c gcsConnector) List(ctx context.Context, s Settings) ([]Object, error) {
	query := &storage.Query{Prefix: listPrefix(s.String("prefix")), Delimiter: listDelimiter(s.Bool("recursive_scan"))}
	var objects []Object
	err := c.withBucket(ctx, s, func(b *storage.BucketHandle) error {
		it := b.Objects(ctx, query)
		for {
			attrs, err := it.Next()
			if errors.Is(err, iterator.Done) {
				return nil
			}
			if err != nil {
				return err
			}
			// With a delimiter, "directories" come back as bare prefixes.
			if attrs.Name == "" || strings.HasSuffix(attrs.Name, "/") {
				continue
			}
			objects = append(objects, Object{Key: attrs.Name, Size: attrs.Size})
		}
	})
	return objects, err
}

func (c gcsConnector) Read(ctx context.Context, s Settings, key string) ([]byte, error) {
	var data []byte
	err := c.withBucket(ctx, s, func(b *storage.BucketHandle) error {
		r, err := b.Object(key).NewReader(ctx)
		if err != nil {
			return err
		}
		defer func() { _ = r.Close() }()
		data, err = io.ReadAll(r)
		return err
	})
	return data, err
}

func (c gcsConnector) Write(ctx context.Context, s Settings, key string, data []byte) error {
	return c.withBucket(ctx, s, func(b *storage.BucketHandle) error {
		w := b.Object(exportKey(s.String("prefix"), key)).NewWriter(ctx)
		if _, err := w.Write(data); err != nil {
			_ = w.Close()
			return err
		}
		return w.Close()
	})
}

func (c gcsConnector) Delete(ctx context.Context, s Settings, key string) error {
	return c.withBucket(ctx, s, func(b *storage.BucketHandle) error {
		err := b.Object(exportKey(s.String("prefix"), key)).Delete(ctx)
		if errors.Is(err, storage.ErrObjectNotExist) {
			return nil
		}
		return err
	})
}

func (gcsConnector) BlobURL(s Settings, key string) string {
	return "gs://" + s.String("bucket") + "/" + key
}
