package teamconfig

import (
	"errors"
	"os"
	"reflect"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/example/platform/components/teams/teamplan"
)

const key = "platform:teams"

var entry = Entry{Name: "billing", GitHubTeam: "billing-devs", AccessRoleArns: []string{"arn:aws:iam::111122223333:role/billing"}, Repos: []string{"billing-api"}}

func decode(t *testing.T, b []byte) map[string]any {
	t.Helper()
	v := map[string]any{}
	if err := yaml.Unmarshal(b, &v); err != nil {
		t.Fatalf("%v\n%s", err, b)
	}
	return v
}

// checkAdded: out is src with exactly one more team, e, at the end of the list; nothing else
// differs in value.
func checkAdded(t *testing.T, src, out []byte, e Entry) {
	t.Helper()
	before, after := decode(t, src), decode(t, out)
	bc, _ := before["config"].(map[string]any)
	ac, _ := after["config"].(map[string]any)
	oldTeams, _ := bc[key].([]any)
	newTeams, _ := ac[key].([]any)
	if len(newTeams) != len(oldTeams)+1 {
		t.Fatalf("%d teams after, %d before:\n%s", len(newTeams), len(oldTeams), out)
	}
	if len(oldTeams) > 0 && !reflect.DeepEqual(newTeams[:len(oldTeams)], oldTeams) {
		t.Error("the existing teams changed")
	}
	var want map[string]any
	b, _ := yaml.Marshal(e)
	yaml.Unmarshal(b, &want)
	if !reflect.DeepEqual(newTeams[len(oldTeams)], want) {
		t.Errorf("new entry = %v, want %v", newTeams[len(oldTeams)], want)
	}
	delete(bc, key)
	delete(ac, key)
	if bc == nil && len(ac) == 0 {
		delete(after, "config") // an empty file gains config with the list only
	}
	if !reflect.DeepEqual(before, after) {
		t.Errorf("the rest of the file changed:\nbefore %v\nafter  %v", before, after)
	}
}

// withoutInserted: out less one contiguous run of lines equals src byte for byte (the splice).
func withoutInserted(src, out []byte) bool {
	s, o := string(src), string(out)
	i := 0
	for i < len(s) && i < len(o) && s[i] == o[i] {
		i++
	}
	i = strings.LastIndex(s[:i], "\n") + 1
	return strings.HasSuffix(o, s[i:]) && strings.HasPrefix(o, s[:i])
}

func TestAddToExampleStacks(t *testing.T) {
	for _, f := range []string{"../../Pulumi.dev.yaml", "../../Pulumi.prod.yaml"} {
		src, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		out, index, err := Add(src, key, entry)
		if err != nil {
			t.Fatal(err)
		}
		if index != 2 {
			t.Errorf("%s: index %d, want 2 (after payments and search)", f, index)
		}
		checkAdded(t, src, out, entry)
		if !withoutInserted(src, out) {
			t.Errorf("%s: the file changed outside the inserted lines:\n%s", f, out)
		}
		for _, l := range strings.Split(string(src), "\n") {
			if strings.HasPrefix(strings.TrimSpace(l), "#") && !strings.Contains(string(out), l+"\n") {
				t.Errorf("%s: comment lost: %q", f, l)
			}
		}
		if !strings.Contains(string(out), "\n    - name: billing\n      githubTeam: billing-devs\n      accessRoleArns:\n        - arn:aws:iam::111122223333:role/billing\n") {
			t.Errorf("%s: entry not indented as the others:\n%s", f, out)
		}
	}
}

func TestAddLayouts(t *testing.T) {
	for _, c := range []struct{ name, src, want string }{
		{"comment of the next key stays with it",
			"config:\n  platform:teams:\n    - name: a\n      # a's own note\n\n  # about b\n  platform:b: 1\n",
			"config:\n  platform:teams:\n    - name: a\n      # a's own note\n    - name: billing\n      githubTeam: billing-devs\n      accessRoleArns:\n        - arn:aws:iam::111122223333:role/billing\n      repos:\n        - billing-api\n\n  # about b\n  platform:b: 1\n"},
		{"no key: added at the end of config",
			"# top\nconfig:\n    aws:region: eu-north-1 # where\n# trailing\n",
			"# top\nconfig:\n    aws:region: eu-north-1 # where\n    platform:teams:\n      - name: billing\n        githubTeam: billing-devs\n        accessRoleArns:\n          - arn:aws:iam::111122223333:role/billing\n        repos:\n          - billing-api\n# trailing\n"},
		{"no newline at the end",
			"config:\n  platform:teams:\n  - name: a",
			"config:\n  platform:teams:\n  - name: a\n  - name: billing\n    githubTeam: billing-devs\n    accessRoleArns:\n      - arn:aws:iam::111122223333:role/billing\n    repos:\n      - billing-api\n"},
		{"a key after config",
			"config:\n  platform:teams:\n    - name: a\nencryptionsalt: v1:abc\n",
			"config:\n  platform:teams:\n    - name: a\n    - name: billing\n      githubTeam: billing-devs\n      accessRoleArns:\n        - arn:aws:iam::111122223333:role/billing\n      repos:\n        - billing-api\nencryptionsalt: v1:abc\n"},
	} {
		t.Run(c.name, func(t *testing.T) {
			out, _, err := Add([]byte(c.src), key, entry)
			if err != nil {
				t.Fatal(err)
			}
			if string(out) != c.want {
				t.Errorf("got\n%s\nwant\n%s", out, c.want)
			}
			checkAdded(t, []byte(c.src), out, entry)
		})
	}
}

// Layouts the splice does not take are edited as nodes: same data, comments kept.
func TestAddFallsBackToNodes(t *testing.T) {
	for _, src := range []string{
		"config:\n  # no teams yet\n  platform:teams: []\n  aws:region: eu-north-1\n",
		"config:\n  platform:teams: [{name: a}] # flow\n",
		"config:\n  platform:teams:\n  # none\n",
		"",
	} {
		out, _, err := Add([]byte(src), key, entry)
		if err != nil {
			t.Fatalf("%q: %v", src, err)
		}
		checkAdded(t, []byte(src), out, entry)
		for _, c := range []string{"# no teams yet", "# flow", "# none"} {
			if strings.Contains(src, c) && !strings.Contains(string(out), c) {
				t.Errorf("comment %q lost:\n%s", c, out)
			}
		}
	}
}

func TestAddRefuses(t *testing.T) {
	src := []byte("config:\n  platform:teams:\n    - name: a\n    - name: billing\n")
	_, _, err := Add(src, key, entry)
	var exists *ExistsError
	if !errors.As(err, &exists) || exists.Index != 1 || !strings.Contains(err.Error(), `team "billing" is already in platform:teams (entry [1])`) {
		t.Errorf("duplicate: %v", err)
	}
	// Control: another name is added to the same file.
	if _, _, err := Add(src, key, Entry{Name: "c"}); err != nil {
		t.Errorf("a new name refused: %v", err)
	}
	for src, want := range map[string]string{
		"config:\n  platform:teams: payments\n": "platform:teams is not a list",
		"- a\n":                                 "is not a YAML mapping",
		"config: [1]\n":                         "config is not a mapping",
		"config:\n  a: [\n":                     "not YAML",
	} {
		if _, _, err := Add([]byte(src), key, entry); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", src, err, want)
		}
	}
}

// Entry's YAML names are the config's: each is a JSON name of teamplan.Team.
func TestEntryKeysAreTeamKeys(t *testing.T) {
	known := map[string]bool{}
	tt := reflect.TypeOf(teamplan.Team{})
	for i := 0; i < tt.NumField(); i++ {
		known[strings.Split(tt.Field(i).Tag.Get("json"), ",")[0]] = true
	}
	et := reflect.TypeOf(Entry{})
	for i := 0; i < et.NumField(); i++ {
		if name := strings.Split(et.Field(i).Tag.Get("yaml"), ",")[0]; !known[name] {
			t.Errorf("Entry.%s is %q, not a key of platform:teams", et.Field(i).Name, name)
		}
	}
}
