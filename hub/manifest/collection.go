package manifest

import "regexp"

// DefaultCollection is the collection of a file when neither the build nor
// the manifest names one; shards built before collections existed belong
// to it.
const DefaultCollection = "default"

// CollectionNameRule says what ValidCollection accepts.
const CollectionNameRule = "use 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit"

var collectionName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)

// ValidCollection reports whether s can name a collection: it appears in
// URLs, command lines and file names, so it is kept plain.
func ValidCollection(s string) bool { return collectionName.MatchString(s) }

// intern returns one shared copy of a collection name: a million rows name
// a handful of collections.
func (c *collector) intern(name string) string {
	if name == "" {
		return ""
	}
	if s, ok := c.names[name]; ok {
		return s
	}
	if c.names == nil {
		c.names = map[string]string{}
	}
	s := string([]byte(name))
	c.names[name] = s
	return s
}
