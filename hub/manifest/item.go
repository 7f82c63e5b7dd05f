package manifest

import "strings"

// ItemOf is the item a path belongs to: its first depth components when it
// has more than that, else the path itself (a file near the top is an item
// of its own). With depth 1 the item is the top-level directory, so
// "comics/0001/a.cbz" belongs to "comics" and "readme.txt" to itself.
// Shards never split an item.
func ItemOf(path string, depth int) string {
	if depth < 1 {
		depth = 1
	}
	i := 0
	for n := 0; n < depth; n++ {
		j := strings.IndexByte(path[i:], '/')
		if j < 0 {
			return path
		}
		i += j + 1
	}
	return path[:i-1]
}
