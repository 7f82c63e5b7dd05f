package manifest

import (
	"reflect"
	"strings"
	"testing"
)

func scanTable(t *testing.T, path string, table MD5Table) ([]Entry, *Report, error) {
	return gather(func(emit func(Entry) error) (*Report, error) { return ScanMD5Table(path, table, Options{}, emit) })
}

// TestMD5TableThousandDirs: id N lands in the thousand-dir floor(N/1000)*1000
// under the prefix, with the URL the template makes.
func TestMD5TableThousandDirs(t *testing.T) {
	md5 := "0123456789abcdef0123456789abcdef"
	body := "ID,MD5,Size,Extension,Language\n" +
		"123456," + strings.ToUpper(md5) + ",2048,cbz,en\n" +
		"999,," + "1,cbr,en\n" +
		"7," + md5 + ",5,.CBR,en\n" +
		"1000," + md5 + ",5,,en\n" +
		"1001," + md5 + ",5,c/z,en\n" +
		"123456," + md5 + ",1,cbz,en\n" +
		"-3," + md5 + ",1,cbz,en\n"
	for _, name := range []string{"table.csv", "table.tsv"} {
		content := body
		if name == "table.tsv" {
			content = strings.ReplaceAll(body, ",", "\t")
		}
		got, rep, err := scanTable(t, write(t, name, content), MD5Table{URLTemplate: "http://127.0.0.1:1/repository/{dir}/{id}.{ext}?md5={md5}&size={size}"})
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		want := []Entry{
			{Path: "repository/123000/123456.cbz", Item: "repository/123000", Size: 2048, MD5: md5, Line: 2,
				URL: "http://127.0.0.1:1/repository/123000/123456.cbz?md5=" + md5 + "&size=2048"},
			{Path: "repository/0/7.CBR", Item: "repository/0", Size: 5, MD5: md5, Line: 4,
				URL: "http://127.0.0.1:1/repository/0/7.CBR?md5=" + md5 + "&size=5"},
			{Path: "repository/1000/1000", Item: "repository/1000", Size: 5, MD5: md5, Line: 5,
				URL: "http://127.0.0.1:1/repository/1000/1000.?md5=" + md5 + "&size=5"},
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got\n%+v\nwant\n%+v", name, got, want)
		}
		var lines []int
		for _, r := range rep.Rejected {
			lines = append(lines, r.Line)
		}
		if !reflect.DeepEqual(lines, []int{3, 6, 7, 8}) || !strings.Contains(rep.Rejected[0].Error, "md5 is missing") ||
			!strings.Contains(rep.Rejected[2].Error, "already on line 2") || !strings.Contains(rep.Rejected[3].Error, `id "-3"`) {
			t.Errorf("%s: rejected %+v", name, rep.Rejected)
		}
		if len(rep.Warnings) != 1 || !strings.Contains(rep.Warnings[0], `"language"`) {
			t.Errorf("%s: warnings %q", name, rep.Warnings)
		}
	}
}

func TestMD5TablePrefixAndSHA256(t *testing.T) {
	p := write(t, "t.csv", "id,md5,size,extension,sha256\n42,"+md5B+",3,cbz,"+shaA+"\n")
	for prefix, want := range map[string]string{"": "0/42.cbz", "comics/": "comics/0/42.cbz", "a/b": "a/b/0/42.cbz"} {
		got, _, err := scanTable(t, p, MD5Table{URLTemplate: "https://origin/{md5}", PathPrefix: &prefix})
		if err != nil || len(got) != 1 || got[0].Path != want || got[0].Item != want[:strings.LastIndexByte(want, '/')] ||
			got[0].URL != "https://origin/"+md5B || got[0].SHA256 != shaA {
			t.Errorf("prefix %q: %+v %v", prefix, got, err)
		}
	}
	bad := "../x"
	if _, _, err := scanTable(t, p, MD5Table{URLTemplate: "https://origin/{md5}", PathPrefix: &bad}); err == nil {
		t.Error("prefix with .. accepted")
	}
}

func TestURLTemplateErrors(t *testing.T) {
	p := write(t, "t.csv", "id,md5,size,extension\n1,"+md5B+",3,cbz\n")
	for tmpl, want := range map[string]string{
		"https://o/{name}": "uses {name}: the placeholders are {id} {md5} {dir} {ext} {size}",
		"https://o/{id":    "'{' without a '}'",
		"https://o/id}":    "'}' without a '{'",
		"/repository/{id}": "does not make an http or https URL",
	} {
		if _, _, err := scanTable(t, p, MD5Table{URLTemplate: tmpl}); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: %v, want %q", tmpl, err, want)
		}
	}
	noExt := write(t, "n.csv", "id,md5,size\n1,"+md5B+",3\n")
	if _, _, err := scanTable(t, noExt, MD5Table{URLTemplate: "https://o/{md5}"}); err == nil || !strings.Contains(err.Error(), `line 1: the header has no "extension" column`) {
		t.Errorf("missing column: %v", err)
	}
}
