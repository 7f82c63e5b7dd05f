package shard

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"time"

	"github.com/shardkeeper/shardkeeper/hub/manifest"
	"github.com/shardkeeper/shardkeeper/internal/atomicfile"
)

// Info describes one built shard in the catalog (DATA/shards.json).
type Info struct {
	Name string `json:"name"`
	// Collection is the collection the shard belongs to; a catalog written
	// before collections existed reads as manifest.DefaultCollection.
	Collection string `json:"collection"`
	// Files counts distinct keys, i.e. distinct content (per extension, as
	// E-backend keys include it), not paths: two paths with the same
	// content are one file for donors to hold. It equals Keys.
	Files       int       `json:"files"`
	Bytes       int64     `json:"bytes"` // total size of the distinct keys
	Keys        int       `json:"keys"`
	MD5OnlyKeys int       `json:"md5_only_keys"` // keys without a known SHA-256
	Paths       int       `json:"paths"`         // paths in the shard's main branch
	Items       int       `json:"items"`         // items (see manifest.ItemOf) placed in the shard
	Created     time.Time `json:"created"`
	Updated     time.Time `json:"updated,omitzero"` // the last build that changed it, when not the first
}

const catalogFile = "shards.json"

// CatalogPath is the shard catalog of a data directory.
func CatalogPath(dataDir string) string { return filepath.Join(dataDir, catalogFile) }

// Dir is where a data directory keeps the shards' bare repositories; it is
// the GIT_PROJECT_ROOT the server hands to git http-backend.
func Dir(dataDir string) string { return filepath.Join(dataDir, "shards") }

// RepoDir is the bare repository of the shard called name.
func RepoDir(dataDir, name string) string { return filepath.Join(Dir(dataDir), name+".git") }

// ReadCatalog reads DATA/shards.json. When it does not exist the error
// wraps fs.ErrNotExist.
func ReadCatalog(dataDir string) ([]Info, error) {
	data, err := os.ReadFile(CatalogPath(dataDir))
	if err != nil {
		return nil, fmt.Errorf("read shard catalog: %w", err)
	}
	var infos []Info
	if err := json.Unmarshal(data, &infos); err != nil {
		return nil, fmt.Errorf("read shard catalog %s: %w", CatalogPath(dataDir), err)
	}
	for i := range infos {
		if infos[i].Collection == "" {
			infos[i].Collection = manifest.DefaultCollection
		}
	}
	return infos, nil
}

func writeCatalog(dataDir string, infos []Info) error {
	data, err := json.MarshalIndent(infos, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(CatalogPath(dataDir), append(data, '\n'), 0o644)
}
