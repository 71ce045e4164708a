//go:build !localfiles_only

package connect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
)

// DefaultS3TrustedDomains is Label Studio's default S3_TRUSTED_STORAGE_DOMAINS:
// the endpoint domains whose S3 errors are shown as they are.
var DefaultS3TrustedDomains = []string{
	"amazonaws.com", "scw.cloud", "yandexcloud.net", "digitaloceanspaces.com",
	"orange-business.com", "computecloud.ru", "cloudflarestorage.com",
	"wasabisys.com", "backblazeb2.com", "linodeobjects.com", "storage.googleapis.com",
}

func init() {
	// s3s (Enterprise) adds role_arn and external_id, which the stand-in
	// cannot assume against MinIO: it connects like s3, with the access keys
	// when given and the default credential chain otherwise.
	registry["s3"] = newS3Connector
	registry["s3s"] = newS3Connector
}

type s3Connector struct{ env Env }

func newS3Connector(env Env) Connector { return s3Connector{env: env} }

func (c s3Connector) client(ctx context.Context, s Settings) (*s3.Client, error) {
	region := s.String("region_name")
	if region == "" {
		region = "us-east-1"
	}
	opts := []func(*config.LoadOptions) error{config.WithRegion(region)}
	keyID, secret := s.String("aws_access_key_id"), s.String("aws_secret_access_key")
	if keyID != "" || secret != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(keyID, secret, s.String("aws_session_token"))))
	}
	cfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, err
	}
	endpoint := s.String("s3_endpoint")
	return s3.NewFromConfig(cfg, func(o *s3.Options) {
		if endpoint != "" {
			o.BaseEndpoint = aws.String(endpoint)
			// MinIO and most S3-compatible servers have no virtual hosts.
			o.UsePathStyle = true
		}
	}), nil
}

// untrustedEndpoint returns the host of a custom s3_endpoint outside the
// trusted domains, or "" when errors may be shown as they are.
func (c s3Connector) untrustedEndpoint(s Settings) string {
	endpoint := s.String("s3_endpoint")
	if endpoint == "" {
		return ""
	}
	host := endpoint
	if u, err := url.Parse(endpoint); err == nil && u.Hostname() != "" {
		host = u.Hostname()
	}
	host = strings.ToLower(host)
	trusted := c.env.S3TrustedDomains
	if trusted == nil {
		trusted = DefaultS3TrustedDomains
	}
	for _, domain := range trusted {
		domain = strings.ToLower(strings.TrimPrefix(domain, "."))
		if host == domain || strings.HasSuffix(host, "."+domain) {
			return ""
		}
	}
	return host
}

// hideUntrusted replaces any error on an untrusted custom endpoint with
// Label Studio's S3StorageError, which nothing catches (HTTP 500).
func (c s3Connector) hideUntrusted(s Settings, err error) error {
	if err == nil {
		return nil
	}
	if host := c.untrustedEndpoint(s); host != "" {
		return &Error{Message: "Debugging info is not available for s3 endpoints on domain: " + host, Internal: true, Class: "S3StorageError"}
	}
	return err
}

// s3ClientError describes an S3 error response as botocore's ClientError
// prints it.
type s3ClientError struct {
	status    int
	code      string
	operation string
	message   string
}

func (e *s3ClientError) Error() string {
	return fmt.Sprintf("An error occurred (%s) when calling the %s operation: %s", e.code, e.operation, e.message)
}

// asClientError turns an SDK error that carries a server response into a
// *s3ClientError; other failures (network, credentials) stay as they are.
func asClientError(err error) error {
	var apiErr smithy.APIError
	if !errors.As(err, &apiErr) {
		return err
	}
	ce := &s3ClientError{code: apiErr.ErrorCode(), message: apiErr.ErrorMessage()}
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) {
		ce.status = respErr.HTTPStatusCode()
	}
	var opErr *smithy.OperationError
	if errors.As(err, &opErr) {
		ce.operation = opErr.OperationName
	}
	if ce.operation == "HeadBucket" || ce.message == "" {
		// A HEAD response has no body: botocore reports the bare status.
		ce.code = strconv.Itoa(ce.status)
		ce.message = http.StatusText(ce.status)
	}
	return ce
}

// validationError maps a failed check the way Label Studio's S3 serializer
// does (API.md 4.1): credentials and missing buckets get their messages,
// any other error response is accepted.
func (c s3Connector) validationError(s Settings, err error) error {
	if err == nil {
		return nil
	}
	if hidden := c.hideUntrusted(s, err); hidden != err {
		return hidden
	}
	bucket := s.String("bucket")
	var ce *s3ClientError
	if !errors.As(asClientError(err), &ce) {
		return &Error{Message: err.Error(), Internal: true, Class: "botocore.exceptions.EndpointConnectionError"}
	}
	switch {
	case ce.status == http.StatusForbidden || ce.code == "SignatureDoesNotMatch":
		return &Error{Message: fmt.Sprintf("Cannot connect to S3 %s with specified AWS credentials", bucket), Raised: ce.Error()}
	case ce.status == http.StatusNotFound || ce.code == "NoSuchBucket":
		return &Error{Message: fmt.Sprintf("Cannot find bucket %s in S3", bucket), Raised: ce.Error()}
	default:
		return nil
	}
}

// operationError is the error of a list, read, write or delete: botocore's
// text, or the domain message on untrusted endpoints.
func (c s3Connector) operationError(s Settings, err error) error {
	if err == nil {
		return nil
	}
	if hidden := c.hideUntrusted(s, err); hidden != err {
		return hidden
	}
	return asClientError(err)
}

func (c s3Connector) Validate(ctx context.Context, s Settings, dir Direction) error {
	client, err := c.client(ctx, s)
	if err != nil {
		return c.validationError(s, err)
	}
	bucket, prefix := s.String("bucket"), s.String("prefix")
	if prefix == "" {
		_, err = client.HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(bucket)})
		return c.validationError(s, err)
	}
	out, err := client.ListObjectsV2(ctx, &s3.ListObjectsV2Input{
		Bucket: aws.String(bucket), Prefix: aws.String(prefix), MaxKeys: aws.Int32(1),
	})
	if err != nil {
		return c.validationError(s, err)
	}
	if dir == Import && aws.ToInt32(out.KeyCount) == 0 {
		notFound := &Error{Message: fmt.Sprintf("s3://%s/%s not found.", bucket, prefix)}
		return c.hideUntrusted(s, notFound)
	}
	return nil
}

func (c s3Connector) List(ctx context.Context, s Settings) ([]Object, error) {
	client, err := c.client(ctx, s)
	if err != nil {
		return nil, c.operationError(s, err)
	}
	input := &s3.ListObjectsV2Input{Bucket: aws.String(s.String("bucket"))}
	if prefix := listPrefix(s.String("prefix")); prefix != "" {
		input.Prefix = aws.String(prefix)
	}
	if delimiter := listDelimiter(s.Bool("recursive_scan")); delimiter != "" {
		input.Delimiter = aws.String(delimiter)
	}
	var objects []Object
	pages := s3.NewListObjectsV2Paginator(client, input)
	for pages.HasMorePages() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, c.operationError(s, err)
		}
		for _, obj := range page.Contents {
			key := aws.ToString(obj.Key)
			if strings.HasSuffix(key, "/") {
				continue
			}
			objects = append(objects, Object{Key: key, Size: aws.ToInt64(obj.Size)})
		}
	}
	return objects, nil
}

func (c s3Connector) Read(ctx context.Context, s Settings, key string) ([]byte, error) {
	client, err := c.client(ctx, s)
	if err != nil {
		return nil, c.operationError(s, err)
	}
	out, err := client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(s.String("bucket")), Key: aws.String(key)})
	if err != nil {
		return nil, c.operationError(s, err)
	}
	defer func() { _ = out.Body.Close() }()
	data, err := io.ReadAll(out.Body)
	return data, c.operationError(s, err)
}

func (c s3Connector) Write(ctx context.Context, s Settings, key string, data []byte) error {
	client, err := c.client(ctx, s)
	if err != nil {
		return c.operationError(s, err)
	}
	_, err = client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(s.String("bucket")),
		Key:    aws.String(exportKey(s.String("prefix"), key)),
		Body:   bytes.NewReader(data),
	})
	return c.operationError(s, err)
}

func (c s3Connector) Delete(ctx context.Context, s Settings, key string) error {
	client, err := c.client(ctx, s)
	if err != nil {
		return c.operationError(s, err)
	}
	_, err = client.DeleteObject(ctx, &s3.DeleteObjectInput{
		Bucket: aws.String(s.String("bucket")),
		Key:    aws.String(exportKey(s.String("prefix"), key)),
	})
	return c.operationError(s, err)
}

func (c s3Connector) BlobURL(s Settings, key string) string {
	return "s3://" + s.String("bucket") + "/" + key
}
