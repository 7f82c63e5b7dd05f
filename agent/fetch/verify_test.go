package fetch

import (
	"reflect"
	"testing"
)

// TestParseURLLog: the newest line per URL wins; removed URLs are left out.
func TestParseURLLog(t *testing.T) {
	log := "1700000000.5s 1 http://a.example/x\n" +
		"1700000001s 1 http://b.example/x\n" +
		"1700000002.25s 0 http://a.example/x\n" +
		"1700000003s 1 http://c.example/x\n" +
		"1700000000s 0 http://c.example/x\n" +
		"garbage\n"
	got := ParseURLLog([]byte(log))
	want := []string{"http://b.example/x", "http://c.example/x"}
	if !reflect.DeepEqual(got, want) {
		t.Errorf("ParseURLLog = %v, want %v", got, want)
	}
}
