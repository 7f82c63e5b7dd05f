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

// parseCopy reads the result of each key (with -J they come in any order).
func parseCopy(out []byte) map[string]copyResult {
	res := map[string]copyResult{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	sc.Buffer(make([]byte, 64<<10), 1<<20)
	for sc.Scan() {
		var line struct {
			Command string   `json:"command"`
			Key     string   `json:"key"`
			Success bool     `json:"success"`
			Errors  []string `json:"error-messages"`
		}
		if json.Unmarshal(sc.Bytes(), &line) != nil || line.Command != "copy" {
			continue
		}
		res[line.Key] = copyResult{ok: line.Success, msg: strings.Join(strings.Fields(strings.Join(line.Errors, " ")), " ")}
	}
	return res
}
