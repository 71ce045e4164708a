//go:build !localfiles_only

package connect

import (
	"context"
	"errors"
	"fmt"
	"net"
	"sort"
	"syscall"

	"github.com/redis/go-redis/v9"
)

func init() { registry["redis"] = newRedisConnector }

type redisConnector struct{}

func newRedisConnector(Env) Connector { return redisConnector{} }

// errRedisDBZero: Label Studio's connection helper treats a falsy db as
// "no connection", so db 0 can never be pinged (API.md 3.4).
var errRedisDBZero = errors.New("redis db 0 cannot be used: Label Studio treats db 0 as unset")

// client connects as redis-py would with the storage's host (default
// localhost), port (default 6379), db and password.
func (c redisConnector) client(s Settings) (*redis.Client, error) {
	db := s.Int("db", 1)
	if db == 0 {
		return nil, errRedisDBZero
	}
	return redis.NewClient(&redis.Options{
		Addr:       c.address(s),
		DB:         db,
		Password:   s.String("password"),
		MaxRetries: -1,
	}), nil
}

// address is host:port with redis-py's defaults.
func (redisConnector) address(s Settings) string {
	host := s.String("host")
	if host == "" {
		host = "localhost"
	}
	port := s.String("port")
	if port == "" {
		port = "6379"
	}
	return net.JoinHostPort(host, port)
}

// withClient runs fn on a fresh connection and closes it.
func (c redisConnector) withClient(s Settings, fn func(*redis.Client) error) error {
	client, err := c.client(s)
	if err != nil {
		return err
	}
	defer func() { _ = client.Close() }()
	return fn(client)
}

func (c redisConnector) Validate(ctx context.Context, s Settings, _ Direction) error {
	err := c.withClient(s, func(client *redis.Client) error { return client.Ping(ctx).Err() })
	switch {
	case err == nil:
		return nil
	case errors.Is(err, syscall.ECONNREFUSED):
		// redis-py's ConnectionError text.
		host, port, _ := net.SplitHostPort(c.address(s))
		return &Error{Message: fmt.Sprintf("Error %d connecting to %s:%s. Connection refused.", int(syscall.ECONNREFUSED), host, port)}
	default:
		return &Error{Message: err.Error()}
	}
}

// List returns the keys matching "{path}*"; a null path gives "None*", as
// in the Label Studio version read (API.md 8). The keys are sorted so that
// task order is stable.
func (c redisConnector) List(ctx context.Context, s Settings) ([]Object, error) {
	path := "None"
	if v, ok := s["path"]; ok && v != nil {
		path = s.String("path")
	}
	var keys []string
	err := c.withClient(s, func(client *redis.Client) error {
		var err error
		keys, err = client.Keys(ctx, path+"*").Result()
		return err
	})
	if err != nil {
		return nil, err
	}
	sort.Strings(keys)
	objects := make([]Object, len(keys))
	for i, key := range keys {
		objects[i] = Object{Key: key}
	}
	return objects, nil
}

func (c redisConnector) Read(ctx context.Context, s Settings, key string) ([]byte, error) {
	var value []byte
	err := c.withClient(s, func(client *redis.Client) error {
		var err error
		value, err = client.Get(ctx, key).Bytes()
		if errors.Is(err, redis.Nil) {
			return fmt.Errorf("redis key %q does not exist", key)
		}
		return err
	})
	return value, err
}

// Write sets {key}: Label Studio does not use path as a prefix on export.
func (c redisConnector) Write(ctx context.Context, s Settings, key string, data []byte) error {
	return c.withClient(s, func(client *redis.Client) error { return client.Set(ctx, key, data, 0).Err() })
}

func (c redisConnector) Delete(ctx context.Context, s Settings, key string) error {
	return c.withClient(s, func(client *redis.Client) error { return client.Del(ctx, key).Err() })
}

// BlobURL: Redis ignores use_blob_urls, so a task holds the key itself.
func (redisConnector) BlobURL(_ Settings, key string) string { return key }
