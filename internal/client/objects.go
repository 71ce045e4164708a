package client

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
)

// Object is an API object with an id of its own (a webhook, an ML backend,
// a view) as the server returned it.
type Object struct {
	ID int64
	// Fields holds every key of the response, decoded (see decodeFields).
	Fields map[string]any
}

func (o Object) listID() int64 { return o.ID }

// readerCopy copies the top level of Fields for one reader of a shared list:
// readers replace keys, and clone nested values (a view's data and
// filter_group, a webhook's headers) before changing them.
func (o Object) readerCopy() *Object {
	o.Fields = maps.Clone(o.Fields)
	return &o
}

func decodeAnyObject(raw map[string]json.RawMessage) (*Object, error) {
	id, fields, err := decodeObject(raw)
	if err != nil {
		return nil, err
	}
	return &Object{ID: id, Fields: fields}, nil
}

// callFor runs cl and decodes the one object it answers.
func callFor[T any](ctx context.Context, c *Client, cl call, decode func(map[string]json.RawMessage) (*T, error)) (*T, error) {
	var raw map[string]json.RawMessage
	if err := c.do(ctx, cl, &raw); err != nil {
		return nil, err
	}
	object, err := decode(raw)
	if err != nil {
		return nil, fmt.Errorf("%s %s: %w", cl.method, cl.path, err)
	}
	return object, nil
}

// listFor runs cl and decodes the array of objects it answers (a list that
// is not paginated).
func listFor[T any](ctx context.Context, c *Client, cl call, decode func(map[string]json.RawMessage) (*T, error)) ([]T, error) {
	var raws []map[string]json.RawMessage
	if err := c.do(ctx, cl, &raws); err != nil {
		return nil, err
	}
	return decodeList(cl.path, raws, decode)
}
