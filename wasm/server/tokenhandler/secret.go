package tokenhandler

import (
	"encoding/base64"
	"errors"
	"os"
	"strings"
)

// SecretFromEnv reads a secret from the environment variable name or, when
// that is unset, from the file named by name+"_FILE" (the convention of
// container secrets). Surrounding white space is trimmed. Secrets never
// come from flags: other users of the machine can read a command line.
func SecretFromEnv(name string) (string, error) {
	if v := strings.TrimSpace(os.Getenv(name)); v != "" {
		return v, nil
	}
	path := os.Getenv(name + "_FILE")
	if path == "" {
		return "", errors.New("tokenhandler: set " + name + " or " + name + "_FILE")
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return "", errors.New("tokenhandler: " + name + "_FILE: cannot read the file")
	}
	v := strings.TrimSpace(string(data))
	if v == "" {
		return "", errors.New("tokenhandler: " + name + "_FILE: the file is empty")
	}
	return v, nil
}

// KeyFromEnv reads a 32-byte cookie key, base64 (standard or URL
// alphabet, padded or not), as [SecretFromEnv] does. Make one with
// `openssl rand -base64 32`.
func KeyFromEnv(name string) ([]byte, error) {
	v, err := SecretFromEnv(name)
	if err != nil {
		return nil, err
	}
	return ParseKey(v)
}

// ParseKey decodes a base64 cookie key of 32 bytes.
func ParseKey(v string) ([]byte, error) {
	v = strings.TrimRight(strings.TrimSpace(v), "=")
	for _, enc := range []*base64.Encoding{base64.RawStdEncoding, base64.RawURLEncoding} {
		if k, err := enc.DecodeString(v); err == nil {
			if len(k) != 32 {
				return nil, errors.New("tokenhandler: the cookie key must be 32 bytes of base64")
			}
			return k, nil
		}
	}
	return nil, errors.New("tokenhandler: the cookie key is not base64")
}
