package shard

import (
	"encoding/json"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/shardkeeper/shardkeeper/hub/manifest"
	"github.com/shardkeeper/shardkeeper/internal/atomicfile"
)

// Collection is one named collection of a data directory: a theme donors
// can choose ("software", "grateful-dead"). Every shard belongs to one.
type Collection struct {
	Name        string `json:"name"`
	Description string `json:"description"`
}

const collectionsFile = "collections.json"

// CollectionsPath is where a data directory keeps its collections'
// descriptions (the shards' collections are in the catalog).
func CollectionsPath(dataDir string) string { return filepath.Join(dataDir, collectionsFile) }

// ReadCollections lists the collections of a data directory by name: those
// collections.json describes and those the catalog's shards name.
func ReadCollections(dataDir string, infos []Info) ([]Collection, error) {
	byName := map[string]Collection{}
	data, err := os.ReadFile(CollectionsPath(dataDir))
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return nil, fmt.Errorf("read collections: %w", err)
	}
	if err == nil {
		var list []Collection
		if err := json.Unmarshal(data, &list); err != nil {
			return nil, fmt.Errorf("read collections %s: %w", CollectionsPath(dataDir), err)
		}
		for _, c := range list {
			byName[c.Name] = c
		}
	}
	for _, info := range infos {
		if _, ok := byName[info.Collection]; !ok {
			byName[info.Collection] = Collection{Name: info.Collection}
		}
	}
	out := make([]Collection, 0, len(byName))
	for _, c := range byName {
		out = append(out, c)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out, nil
}

// saveCollections records the collections a build touched, with the
// description it was given.
func (b *builder) saveCollections(infos []Info) error {
	list, err := ReadCollections(b.opts.DataDir, infos)
	if err != nil {
		return err
	}
	if b.opts.Description != "" {
		for i := range list {
			if list[i].Name == b.opts.Collection {
				list[i].Description = b.opts.Description
			}
		}
	}
	data, err := json.MarshalIndent(list, "", "  ")
	if err != nil {
		return err
	}
	return atomicfile.Write(CollectionsPath(b.opts.DataDir), append(data, '\n'), 0o644)
}

// itemKey names an item within its collection: two collections may both
// have a "docs" directory, and they are different items.
func itemKey(coll, name string) string { return coll + "\x00" + name }

// itemName is the item's own name in a key.
func itemName(key string) string {
	_, name, _ := strings.Cut(key, "\x00")
	return name
}

// keyItems turns the item index (item -> shard) into keys of the shards'
// collections; unkeyItems turns it back for writing.
func keyItems(items map[string]string, catalog []Info) map[string]string {
	coll := map[string]string{}
	for _, info := range catalog {
		coll[info.Name] = info.Collection
	}
	out := make(map[string]string, len(items))
	for it, shard := range items {
		c := coll[shard]
		if c == "" {
			c = manifest.DefaultCollection
		}
		out[itemKey(c, it)] = shard
	}
	return out
}

func unkeyItems(items map[string]string) map[string]string {
	out := make(map[string]string, len(items))
	for key, shard := range items {
		out[itemName(key)] = shard
	}
	return out
}
