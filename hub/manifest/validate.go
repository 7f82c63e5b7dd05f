package manifest

import (
	"errors"
	"fmt"
	"net/url"
	"path"
	"strconv"
	"strings"
)

// parseEntry validates one row. Errors name the field and value, without
// the line, which the caller adds.
func parseEntry(f map[string]string) (Entry, error) {
	var e Entry
	var err error
	if e.Path, err = cleanPath(f[colPath]); err != nil {
		return e, err
	}
	if e.Size, err = parseSize(f[colSize]); err != nil {
		return e, err
	}
	if e.SHA256, err = parseHex(colSHA256, f[colSHA256], 64); err != nil {
		return e, err
	}
	if e.MD5, err = parseHex(colMD5, f[colMD5], 32); err != nil {
		return e, err
	}
	if e.SHA256 == "" && e.MD5 == "" {
		return e, errors.New("needs a sha256 or an md5 to identify the content")
	}
	e.URL = f[colURL]
	if e.URL == "" {
		return e, errors.New("url is missing")
	}
	if !validURL(e.URL) {
		return e, fmt.Errorf("url %q is not an http or https URL", e.URL)
	}
	if e.Collection = f[colCollection]; e.Collection != "" && !ValidCollection(e.Collection) {
		return e, fmt.Errorf("collection %q is not a collection name: %s", e.Collection, CollectionNameRule)
	}
	return e, nil
}

func parseSize(s string) (int64, error) {
	if s == "" {
		return 0, errors.New("size is missing")
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 {
		return 0, fmt.Errorf("size %q is not a non-negative integer", s)
	}
	return n, nil
}

// parseHex accepts an empty value (digest unknown) or exactly digits hex
// digits, and returns it lowercased, as git-annex keys spell digests.
func parseHex(name, s string, digits int) (string, error) {
	if s == "" {
		return "", nil
	}
	if len(s) != digits || strings.Trim(s, "0123456789abcdefABCDEF") != "" {
		return "", fmt.Errorf("%s %q is not %d hex digits", name, s, digits)
	}
	return strings.ToLower(s), nil
}

func validURL(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "http" || u.Scheme == "https") && u.Host != ""
}

// cleanPath checks a collection path and returns it cleaned. A path must be
// relative, stay inside the collection (no ".." anywhere) and not touch
// git's own directory (no ".git" component, in any letter case, since
// case-insensitive file systems treat ".GIT" as ".git").
func cleanPath(p string) (string, error) {
	switch {
	case p == "":
		return "", errors.New("path is missing")
	case strings.IndexByte(p, 0) >= 0:
		return "", fmt.Errorf("path %q contains a NUL byte", p)
	case strings.HasPrefix(p, "/"):
		return "", fmt.Errorf("path %q must be relative (no leading /)", p)
	}
	for _, part := range strings.Split(p, "/") {
		if part == ".." {
			return "", fmt.Errorf("path %q must not contain ..", p)
		}
		if strings.EqualFold(part, ".git") {
			return "", fmt.Errorf("path %q must not contain a .git component", p)
		}
	}
	clean := path.Clean(p)
	if clean == "." {
		return "", fmt.Errorf("path %q names no file", p)
	}
	return clean, nil
}
