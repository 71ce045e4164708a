package storagepreview

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/smithy-go"
	"github.com/aws/smithy-go/logging"
)

// Error is a failure to reach the bucket, explained: the setting to change
// (named as the storage's field, e.g. "region_name") and how.
type Error struct {
	Field   string
	Summary string
	Detail  string
}

func (e *Error) Error() string { return e.Summary + ": " + e.Detail }

// S3Config is how to reach one S3 bucket; the field names follow Label
// Studio's S3 storage.
type S3Config struct {
	Bucket   string
	Region   string
	Endpoint string
	// AccessKeyID and SecretAccessKey (with SessionToken for temporary
	// credentials); empty means the standard AWS chain of this machine
	// (environment, shared config and profiles, SSO, web identity, IMDS).
	AccessKeyID     string
	SecretAccessKey string
	SessionToken    string
	// HTTPClient replaces the SDK's HTTP client (benchmarks count requests
	// through it); nil keeps the default.
	HTTPClient aws.HTTPClient
}

// S3 is the S3 backend.
type S3 struct {
	cfg    S3Config
	region string
	client *s3.Client
}

var _ Backend = (*S3)(nil)

// NewS3 loads the AWS configuration. The region is Region, else the chain's
// (AWS_REGION, the profile), else us-east-1 as in Label Studio.
func NewS3(ctx context.Context, cfg S3Config) (*S3, error) {
	var opts []func(*config.LoadOptions) error
	if cfg.Region != "" {
		opts = append(opts, config.WithRegion(cfg.Region))
	}
	if cfg.AccessKeyID != "" || cfg.SecretAccessKey != "" {
		opts = append(opts, config.WithCredentialsProvider(
			credentials.NewStaticCredentialsProvider(cfg.AccessKeyID, cfg.SecretAccessKey, cfg.SessionToken)))
	}
	awsCfg, err := config.LoadDefaultConfig(ctx, opts...)
	if err != nil {
		return nil, &Error{Field: "aws_access_key_id", Summary: "Cannot load the AWS configuration",
			Detail: fmt.Sprintf("%v. Fix the shared config or profile (AWS_PROFILE, AWS_CONFIG_FILE), or set aws_access_key_id and aws_secret_access_key.", err)}
	}
	if awsCfg.Region == "" {
		awsCfg.Region = "us-east-1"
	}
	// The SDK would print to stderr, which Terraform shows as plugin noise.
	awsCfg.Logger = logging.Nop{}
	client := s3.NewFromConfig(awsCfg, func(o *s3.Options) {
		if cfg.HTTPClient != nil {
			o.HTTPClient = cfg.HTTPClient
		}
		if cfg.Endpoint != "" {
			o.BaseEndpoint = aws.String(cfg.Endpoint)
			// S3-compatible servers rarely have virtual-host buckets.
			o.UsePathStyle = true
		}
	})
	return &S3{cfg: cfg, region: awsCfg.Region, client: client}, nil
}

// List pages through ListObjectsV2 (1000 keys a page, fewer when the limit
// is smaller).
func (b *S3) List(ctx context.Context, q ListQuery, visit func(Object) error) error {
	input := &s3.ListObjectsV2Input{Bucket: aws.String(b.cfg.Bucket)}
	if q.Prefix != "" {
		input.Prefix = aws.String(q.Prefix)
	}
	if q.Delimiter != "" {
		input.Delimiter = aws.String(q.Delimiter)
	}
	seen := 0
	for {
		if q.Limit > 0 {
			input.MaxKeys = aws.Int32(int32(min(1000, q.Limit-seen)))
		}
		page, err := b.client.ListObjectsV2(ctx, input)
		if err != nil {
			return b.explain(err, "list", "s3:ListBucket on arn:aws:s3:::"+b.cfg.Bucket)
		}
		for _, obj := range page.Contents {
			seen++
			if err := visit(Object{Key: aws.ToString(obj.Key), Size: aws.ToInt64(obj.Size)}); err != nil {
				if errors.Is(err, ErrStop) {
					return nil
				}
				return err
			}
		}
		if !aws.ToBool(page.IsTruncated) || page.NextContinuationToken == nil || (q.Limit > 0 && seen >= q.Limit) {
			return nil
		}
		input.ContinuationToken = page.NextContinuationToken
	}
}

func (b *S3) Read(ctx context.Context, key string, maxBytes int64) ([]byte, error) {
	out, err := b.client.GetObject(ctx, &s3.GetObjectInput{Bucket: aws.String(b.cfg.Bucket), Key: aws.String(key)})
	if err != nil {
		return nil, b.explain(err, "read", "s3:GetObject on arn:aws:s3:::"+b.cfg.Bucket+"/*")
	}
	defer func() { _ = out.Body.Close() }()
	return io.ReadAll(io.LimitReader(out.Body, maxBytes))
}

func (b *S3) Put(ctx context.Context, key string, data []byte) error {
	_, err := b.client.PutObject(ctx, &s3.PutObjectInput{
		Bucket: aws.String(b.cfg.Bucket), Key: aws.String(key), Body: bytes.NewReader(data),
		ContentType: aws.String("application/json"),
	})
	return b.explain(err, "write", "s3:PutObject on arn:aws:s3:::"+b.cfg.Bucket+"/*")
}

func (b *S3) Delete(ctx context.Context, key string) error {
	_, err := b.client.DeleteObject(ctx, &s3.DeleteObjectInput{Bucket: aws.String(b.cfg.Bucket), Key: aws.String(key)})
	return b.explain(err, "delete", "s3:DeleteObject on arn:aws:s3:::"+b.cfg.Bucket+"/*")
}

// CORSRules reads GetBucketCors. No configuration is an empty rule list;
// a refusal, or a server without bucket CORS, is an error that says so.
func (b *S3) CORSRules(ctx context.Context) ([]CORSRule, error) {
	out, err := b.client.GetBucketCors(ctx, &s3.GetBucketCorsInput{Bucket: aws.String(b.cfg.Bucket)})
	if err != nil {
		status, code, header := responseOf(err)
		switch {
		case strings.EqualFold(header.Get("Server"), "MinIO"):
			// MinIO answers NoSuchCORSConfiguration to every bucket and 501
			// to PutBucketCors: its CORS is server-wide
			// (MINIO_API_CORS_ALLOW_ORIGIN), not per bucket.
			return nil, errors.New("this server (MinIO) has no per-bucket CORS rules; its CORS is server-wide (MINIO_API_CORS_ALLOW_ORIGIN, default *)")
		case code == "NoSuchCORSConfiguration":
			return []CORSRule{}, nil
		case status == http.StatusNotImplemented || code == "NotImplemented":
			return nil, errors.New("the server does not implement the bucket CORS API (GetBucketCors answered NotImplemented)")
		case status == http.StatusForbidden || code == "AccessDenied":
			return nil, fmt.Errorf("the credentials may not read the bucket's CORS configuration; grant s3:GetBucketCORS on arn:aws:s3:::%s to check it", b.cfg.Bucket)
		}
		return nil, b.explain(err, "read the CORS configuration of", "s3:GetBucketCORS on arn:aws:s3:::"+b.cfg.Bucket)
	}
	rules := make([]CORSRule, 0, len(out.CORSRules))
	for _, r := range out.CORSRules {
		rules = append(rules, CORSRule{AllowedOrigins: r.AllowedOrigins, AllowedMethods: r.AllowedMethods, AllowedHeaders: r.AllowedHeaders})
	}
	return rules, nil
}

// responseOf digs the HTTP status, error code and headers out of an SDK
// error; zero values when the server never answered.
func responseOf(err error) (status int, code string, header http.Header) {
	header = http.Header{}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		code = apiErr.ErrorCode()
	}
	var respErr *awshttp.ResponseError
	if errors.As(err, &respErr) && respErr.Response != nil {
		status = respErr.HTTPStatusCode()
		header = respErr.Response.Header
	}
	return status, code, header
}

// expectingRegion finds the bucket's region in AuthorizationHeaderMalformed
// messages: AWS quotes it with ', versitygw with ".
var expectingRegion = regexp.MustCompile(`expecting ['"]([a-z0-9-]+)['"]`)

// explain turns an SDK error into an *Error naming the setting to fix.
func (b *S3) explain(err error, action, permission string) error {
	if err == nil {
		return nil
	}
	status, code, header := responseOf(err)
	bucket := b.cfg.Bucket
	where := "AWS S3 (region " + b.region + ")"
	if b.cfg.Endpoint != "" {
		where = b.cfg.Endpoint
	}
	credsField, credsText := "bucket", "the credentials of the standard AWS chain on the machine running Terraform"
	if b.cfg.AccessKeyID != "" {
		// The key ID is sensitive in the schema: name the attribute, not its value.
		credsField, credsText = "aws_access_key_id", "the access key of aws_access_key_id"
	}
	if region := bucketRegion(status, header, err); region != "" && region != b.region {
		return &Error{Field: "region_name", Summary: "Wrong region for the bucket",
			Detail: fmt.Sprintf("Bucket %s is in region %s, not %s: set region_name = %q.", bucket, region, b.region, region)}
	}
	switch {
	case code == "NoSuchBucket" || (status == http.StatusNotFound && action == "list"):
		return &Error{Field: "bucket", Summary: "No such bucket",
			Detail: fmt.Sprintf("Bucket %s does not exist at %s. Check bucket (and s3_endpoint or region_name).", bucket, where)}
	case code == "InvalidAccessKeyId":
		return &Error{Field: "aws_access_key_id", Summary: "Unknown access key",
			Detail: fmt.Sprintf("%s does not know the access key ID set in aws_access_key_id. Check aws_access_key_id.", where)}
	case code == "SignatureDoesNotMatch":
		return &Error{Field: "aws_secret_access_key", Summary: "Wrong secret access key",
			Detail: "The request signature does not match: aws_secret_access_key does not belong to aws_access_key_id."}
	case code == "ExpiredToken" || code == "InvalidToken" || code == "TokenRefreshRequired":
		return &Error{Field: "aws_session_token", Summary: "Expired or invalid session token",
			Detail: fmt.Sprintf("%s refused the session token (%s). Get fresh temporary credentials.", where, code)}
	case status == http.StatusForbidden || code == "AccessDenied":
		return &Error{Field: credsField, Summary: "Access denied",
			Detail: fmt.Sprintf("%s may not %s s3://%s: grant %s to them, or use credentials that have it.", upperFirst(credsText), action, bucket, permission)}
	case status == 0 && isMissingCredentials(err):
		return &Error{Field: "aws_access_key_id", Summary: "No AWS credentials",
			Detail: "Set aws_access_key_id and aws_secret_access_key, or configure the standard AWS chain where Terraform runs (AWS_PROFILE, AWS_ACCESS_KEY_ID, SSO, web identity)."}
	case status == 0 && isNetworkError(err):
		field := "s3_endpoint"
		if b.cfg.Endpoint == "" {
			field = "region_name"
		}
		return &Error{Field: field, Summary: "Endpoint unreachable",
			Detail: fmt.Sprintf("Nothing answers at %s (%v). Check s3_endpoint (scheme, host and port) and that the server is running.", where, rootCause(err))}
	}
	return &Error{Field: "bucket", Summary: "Cannot " + action + " the bucket",
		Detail: fmt.Sprintf("%s answered: %v", where, rootCause(err))}
}

// bucketRegion is the bucket's region when the server said the request went
// to the wrong one: the x-amz-bucket-region header of a redirect (AWS answers
// 301 PermanentRedirect to a request for another region), or the region
// named in an AuthorizationHeaderMalformed message. Other answers may carry
// the header too, without meaning the region is wrong.
func bucketRegion(status int, header http.Header, err error) string {
	if r := header.Get("X-Amz-Bucket-Region"); r != "" && (status == http.StatusMovedPermanently || status == http.StatusTemporaryRedirect) {
		return r
	}
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) && apiErr.ErrorCode() == "AuthorizationHeaderMalformed" {
		if m := expectingRegion.FindStringSubmatch(apiErr.ErrorMessage()); m != nil {
			return m[1]
		}
	}
	return ""
}

func isMissingCredentials(err error) bool {
	return strings.Contains(err.Error(), "failed to retrieve credentials") || strings.Contains(err.Error(), "no EC2 IMDS role found")
}

func isNetworkError(err error) bool {
	var netErr net.Error
	var opErr *net.OpError
	var dnsErr *net.DNSError
	return errors.As(err, &netErr) || errors.As(err, &opErr) || errors.As(err, &dnsErr)
}

// rootCause is the innermost error text, without the SDK's operation and
// retry wrapping.
func rootCause(err error) error {
	var apiErr smithy.APIError
	if errors.As(err, &apiErr) {
		return apiErr
	}
	for {
		next := errors.Unwrap(err)
		if next == nil {
			return err
		}
		err = next
	}
}

func upperFirst(s string) string {
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}
