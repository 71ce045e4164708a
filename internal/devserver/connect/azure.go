//go:build !localfiles_only

package connect

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"strings"

	"github.com/Azure/azure-sdk-for-go/sdk/azcore"
	"github.com/Azure/azure-sdk-for-go/sdk/azcore/runtime"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/bloberror"
	"github.com/Azure/azure-sdk-for-go/sdk/storage/azblob/container"
)

func init() { registry["azure"] = newAzureConnector }

type azureConnector struct{ env Env }

func newAzureConnector(env Env) Connector { return azureConnector{env: env} }

// pythonKeyError is how Label Studio shows a Python KeyError: its text in
// single quotes (API.md 4.1).
func pythonKeyError(msg string) *Error { return &Error{Message: "'" + msg + "'"} }

// container connects with the storage's account name and key, falling back
// to AZURE_BLOB_ACCOUNT_NAME/KEY, at Env.AzureEndpoint when set (an
// emulator) or at the account's blob.core.windows.net.
func (c azureConnector) container(s Settings) (*container.Client, error) {
	name, key := s.String("account_name"), s.String("account_key")
	if name == "" {
		name = c.env.AzureAccountName
	}
	if key == "" {
		key = c.env.AzureAccountKey
	}
	if name == "" || key == "" {
		return nil, &Error{Message: "Azure account name and key must be set using environment variables " +
			"AZURE_BLOB_ACCOUNT_NAME and AZURE_BLOB_ACCOUNT_KEY or account_name and account_key fields."}
	}
	cred, err := azblob.NewSharedKeyCredential(name, key)
	if err != nil {
		return nil, &Error{Message: "Azure account key is not valid base64"}
	}
	serviceURL := "https://" + name + ".blob.core.windows.net/"
	if c.env.AzureEndpoint != "" {
		serviceURL = strings.ReplaceAll(c.env.AzureEndpoint, "{account}", name)
	}
	client, err := azblob.NewClientWithSharedKeyCredential(serviceURL, cred, nil)
	if err != nil {
		return nil, err
	}
	return client.ServiceClient().NewContainerClient(s.String("container")), nil
}

// responseError is azure-core's text for an error response.
func responseError(err error) error {
	var respErr *azcore.ResponseError
	if errors.As(err, &respErr) {
		return &Error{Message: fmt.Sprintf("Operation returned an invalid status '%d'\nErrorCode:%s", respErr.StatusCode, respErr.ErrorCode)}
	}
	var ce *Error
	if errors.As(err, &ce) {
		return ce
	}
	return &Error{Message: err.Error()}
}

func (c azureConnector) Validate(ctx context.Context, s Settings, dir Direction) error {
	client, err := c.container(s)
	if err != nil {
		return responseError(err)
	}
	name, prefix := s.String("container"), s.String("prefix")
	if _, err := client.GetProperties(ctx, nil); err != nil {
		if bloberror.HasCode(err, bloberror.ContainerNotFound) {
			return pythonKeyError("Container not found: " + name)
		}
		return responseError(err)
	}
	if dir != Import || prefix == "" {
		return nil
	}
	page, err := client.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: &prefix, MaxResults: ptr(int32(1))}).NextPage(ctx)
	if err != nil {
		return responseError(err)
	}
	if len(page.Segment.BlobItems) == 0 {
		return pythonKeyError(fmt.Sprintf("azure-blob://%s/%s not found.", name, prefix))
	}
	return nil
}

func ptr[T any](v T) *T { return &v }

func (c azureConnector) List(ctx context.Context, s Settings) ([]Object, error) {
	client, err := c.container(s)
	if err != nil {
		return nil, err
	}
	var prefix *string
	if p := listPrefix(s.String("prefix")); p != "" {
		prefix = &p
	}
	if s.Bool("recursive_scan") {
		return collectBlobs(ctx, client.NewListBlobsFlatPager(&container.ListBlobsFlatOptions{Prefix: prefix}),
			func(page container.ListBlobsFlatResponse) []*container.BlobItem { return page.Segment.BlobItems })
	}
	return collectBlobs(ctx, client.NewListBlobsHierarchyPager("/", &container.ListBlobsHierarchyOptions{Prefix: prefix}),
		func(page container.ListBlobsHierarchyResponse) []*container.BlobItem { return page.Segment.BlobItems })
}

// collectBlobs reads every page of a flat or hierarchical listing, leaving
// out folder markers.
func collectBlobs[Page any](ctx context.Context, pages *runtime.Pager[Page], blobs func(Page) []*container.BlobItem) ([]Object, error) {
	var objects []Object
	for pages.More() {
		page, err := pages.NextPage(ctx)
		if err != nil {
			return nil, err
		}
		for _, item := range blobs(page) {
			if item.Name == nil || strings.HasSuffix(*item.Name, "/") {
				continue
			}
			o := Object{Key: *item.Name}
			if item.Properties != nil && item.Properties.ContentLength != nil {
				o.Size = *item.Properties.ContentLength
			}
			objects = append(objects, o)
		}
	}
	return objects, nil
}

func (c azureConnector) Read(ctx context.Context, s Settings, key string) ([]byte, error) {
	client, err := c.container(s)
	if err != nil {
		return nil, err
	}
	resp, err := client.NewBlobClient(key).DownloadStream(ctx, nil)
	if err != nil {
		return nil, err
	}
	defer func() { _ = resp.Body.Close() }()
	return io.ReadAll(resp.Body)
}

// Write uploads {prefix}/{key}, overwriting an existing blob.
func (c azureConnector) Write(ctx context.Context, s Settings, key string, data []byte) error {
	client, err := c.container(s)
	if err != nil {
		return err
	}
	blob := client.NewBlockBlobClient(exportKey(s.String("prefix"), key))
	_, err = blob.UploadStream(ctx, bytes.NewReader(data), nil)
	return err
}

func (c azureConnector) Delete(ctx context.Context, s Settings, key string) error {
	client, err := c.container(s)
	if err != nil {
		return err
	}
	_, err = client.NewBlobClient(exportKey(s.String("prefix"), key)).Delete(ctx, nil)
	if bloberror.HasCode(err, bloberror.BlobNotFound) {
		return nil
	}
	return err
}

func (azureConnector) BlobURL(s Settings, key string) string {
	return "azure-blob://" + s.String("container") + "/" + key
}
