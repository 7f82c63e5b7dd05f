package manifest

import (
	"fmt"
	"slices"
	"strings"
)

// Placeholders a URL template may use, each replaced by a value that needs
// no escaping (digits, hex, or a checked extension).
var placeholders = []string{"id", "md5", "dir", "ext", "size"}

// urlTemplate is a parsed URL template: literal text and placeholders.
type urlTemplate struct {
	parts []string // literal, placeholder, literal, placeholder, ..., literal
}

// parseTemplate checks a template such as "https://origin/{dir}/{id}.{ext}".
func parseTemplate(s string) (urlTemplate, error) {
	var t urlTemplate
	rest := s
	for {
		open := strings.IndexByte(rest, '{')
		if open < 0 {
			if strings.IndexByte(rest, '}') >= 0 {
				return t, fmt.Errorf("URL template %q has a '}' without a '{'", s)
			}
			t.parts = append(t.parts, rest)
			break
		}
		end := strings.IndexByte(rest[open:], '}')
		if end < 0 {
			return t, fmt.Errorf("URL template %q has a '{' without a '}'", s)
		}
		name := rest[open+1 : open+end]
		if !slices.Contains(placeholders, name) {
			return t, fmt.Errorf("URL template %q uses {%s}: the placeholders are {%s}", s, name, strings.Join(placeholders, "} {"))
		}
		t.parts = append(t.parts, rest[:open], name)
		rest = rest[open+end+1:]
	}
	// Checking with sample values catches a template that is not an http
	// URL before any row is read.
	sample := t.expand(map[string]string{"id": "1", "md5": strings.Repeat("0", 32), "dir": "0", "ext": "x", "size": "1"})
	if !validURL(sample) {
		return t, fmt.Errorf("URL template %q does not make an http or https URL", s)
	}
	return t, nil
}

func (t urlTemplate) expand(values map[string]string) string {
	var b strings.Builder
	for i, p := range t.parts {
		if i%2 == 0 {
			b.WriteString(p)
		} else {
			b.WriteString(values[p])
		}
	}
	return b.String()
}
