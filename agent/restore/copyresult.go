package restore

import (
	"bufio"
	"bytes"
	"encoding/json"
	"strings"
)

// copyResult is what `git annex copy --json --json-error-messages` said
// about one key.
type copyResult struct {
	ok  bool
	msg string // git-annex's error messages, one line
}

func parseCopy(out []byte) copyResult {
	var res copyResult
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var line struct {
			Command string   `json:"command"`
			Success bool     `json:"success"`
			Errors  []string `json:"error-messages"`
			Info    string   `json:"info"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil || line.Command != "copy" {
			continue
		}
		res.ok = line.Success
		res.msg = strings.Join(strings.Fields(strings.Join(line.Errors, " ")), " ")
	}
	return res
}
