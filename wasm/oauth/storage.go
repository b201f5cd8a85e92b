package oauth

import (
	"slices"
	"strings"
	"sync"
)

// Storage is a string key-value store: in a browser sessionStorage, or
// IndexedDB for tokens shared by every tab; [MemoryStorage] elsewhere.
// Errors are returned, not swallowed: browsers throw on quota and on
// blocked storage.
type Storage interface {
	Get(key string) (value string, ok bool, err error)
	Set(key, value string) error
	Remove(key string) error
	// Keys returns the keys that start with prefix.
	Keys(prefix string) ([]string, error)
}

// MemoryStorage is a [Storage] in memory, safe for concurrent use.
type MemoryStorage struct {
	mu sync.Mutex
	m  map[string]string
}

// NewMemoryStorage returns an empty [MemoryStorage].
func NewMemoryStorage() *MemoryStorage { return &MemoryStorage{m: map[string]string{}} }

// Get implements [Storage].
func (s *MemoryStorage) Get(key string) (string, bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	v, ok := s.m[key]
	return v, ok, nil
}

// Set implements [Storage].
func (s *MemoryStorage) Set(key, value string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.m[key] = value
	return nil
}

// Remove implements [Storage].
func (s *MemoryStorage) Remove(key string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.m, key)
	return nil
}

// Keys implements [Storage].
func (s *MemoryStorage) Keys(prefix string) ([]string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var keys []string
	for k := range s.m {
		if strings.HasPrefix(k, prefix) {
			keys = append(keys, k)
		}
	}
	slices.Sort(keys)
	return keys, nil
}
