package tests

import (
	"encoding/json"
	"errors"
	"hash/fnv"
	"maps"
	"net/netip"
	"reflect"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/planner"
)

// FuzzDecode sets one config key, at any depth of any block, on top of a complete and valid
// example stack (dev or prod), and checks the whole program's answer:
//   - on failure, every error is a config error that names the fuzzed key: it is on that key,
//     above or below it, or its message names it (a cross-key rule must say which key broke it);
//     and the program registers nothing;
//   - on success, decoding is deterministic and round-trips (the decoded config, written back as
//     config, decodes to itself), the whole program runs under mocks without error, its subnets
//     are disjoint and inside the VPC, and a fuzzed secret's value changes nothing in the plan;
//   - nothing panics, in Decode or in the program (an ApplyT callback's panic kills the run).
//
// The seed corpus is every key at its example value, in both stacks (the success branch for
// every block), plus testdata/fuzz/FuzzDecode. Run it with
// `go test ./tests -run XXX -fuzz FuzzDecode -fuzztime 5m`.
func FuzzDecode(f *testing.F) {
	paths := fuzzPaths()
	for _, prod := range []bool{false, true} {
		base := stackInput(f, stackName(prod)).Config
		for _, p := range paths {
			if v, ok := getPath(base, p); ok {
				f.Add(prod, p, v)
			}
		}
	}
	day := time.Now().UTC().Truncate(24 * time.Hour)
	f.Fuzz(func(t *testing.T, prod bool, path, value string) {
		if !slices.Contains(paths, path) {
			// A mutated path lands on a known one, so every mutation exercises a key.
			h := fnv.New32a()
			h.Write([]byte(path))
			path = paths[h.Sum32()%uint32(len(paths))]
		}
		in := stackInput(t, stackName(prod))
		in.Config = maps.Clone(in.Config)
		setPath(t, in.Config, path, value)
		secret := map[string]bool{}
		for _, k := range in.SecretKeys {
			secret[k] = true
		}
		cfg, err := decodeNoPanic(t, in, secret, day)
		p, runErr := runNoPanic(t, in)
		if err != nil {
			checkErrorsNameKey(t, err, path)
			if runErr == nil || len(p.Resources) != 0 {
				t.Fatalf("Decode refused %s=%q but the program ran (err %v) and registered %d resources", path, value, runErr, len(p.Resources))
			}
			return
		}
		again, err := config.DecodeOn(in.Project, in.Stack, in.Config, secret, day)
		if err != nil || !reflect.DeepEqual(cfg, again) {
			t.Fatalf("a second decode differs (err %v)", err)
		}
		checkRoundTrip(t, in, cfg, secret, day)
		if runErr != nil {
			t.Fatalf("Decode accepted %s=%q but the program failed: %v", path, value, runErr)
		}
		checkSubnets(t, p, cfg)
		if secret[path] {
			// A secret's value reaches the plan nowhere: another value plans the same.
			other := stackInput(t, stackName(prod))
			setPath(t, other.Config, path, value+"-other")
			q, err := runNoPanic(t, other)
			if err != nil {
				t.Fatalf("%s=%q plans, %q does not: %v", path, value, value+"-other", err)
			}
			a, _ := json.Marshal(p)
			b, _ := json.Marshal(q)
			if string(a) != string(b) {
				t.Fatalf("the value of the secret %s changes the plan", path)
			}
		}
	})
}

func stackName(prod bool) string {
	if prod {
		return "prod"
	}
	return "dev"
}

// fuzzPaths are every key the program reads, at every depth, found from the config's types so
// a new block (teams, databases) is fuzzed as soon as it lands; lists are reached through their
// first element and maps through one example key. A few unknown keys are fuzzed too: they
// must be refused by name.
func fuzzPaths() []string {
	paths := []string{config.RegionKey, config.GitHubOwnerKey, config.GitHubTokenKey,
		"platform:unknownKey", "platform:network.cidrBlock", "platform:addons.loki.retention"}
	fields := map[string]reflect.Type{}
	t := reflect.TypeFor[config.Config]()
	for i := 0; i < t.NumField(); i++ {
		if name := strings.Split(t.Field(i).Tag.Get("json"), ",")[0]; name != "" && name != "-" {
			fields[name] = t.Field(i).Type
		}
	}
	for _, k := range config.Keys {
		key := config.Namespace + ":" + k
		paths = append(paths, key)
		if typ, ok := fields[k]; ok {
			paths = walkType(typ, key, paths)
		}
	}
	return paths
}

func walkType(t reflect.Type, path string, out []string) []string {
	switch t.Kind() {
	case reflect.Pointer:
		return walkType(t.Elem(), path, out)
	case reflect.Struct:
		for i := 0; i < t.NumField(); i++ {
			f := t.Field(i)
			name := strings.Split(f.Tag.Get("json"), ",")[0]
			if f.Anonymous && name == "" {
				out = walkType(f.Type, path, out)
				continue
			}
			if name == "" || name == "-" || !f.IsExported() {
				continue
			}
			out = append(out, path+"."+name)
			out = walkType(f.Type, path+"."+name, out)
		}
	case reflect.Slice:
		out = append(out, path+"[0]")
		out = walkType(t.Elem(), path+"[0]", out)
	case reflect.Map:
		out = append(out, path+".example")
		out = walkType(t.Elem(), path+".example", out)
	}
	return out
}

var segment = regexp.MustCompile(`\.([A-Za-z0-9_-]+)|\[([0-9]+)\]`)

// splitPath splits "platform:cluster.nodeGroups[0].minSize" into its config key and the steps
// inside its JSON value (strings for fields, ints for list indexes).
func splitPath(path string) (key string, steps []any) {
	end := strings.IndexAny(path, ".[")
	if end < 0 || !strings.HasPrefix(path, config.Namespace+":") {
		return path, nil
	}
	key = path[:end]
	for _, m := range segment.FindAllStringSubmatch(path[end:], -1) {
		if m[1] != "" {
			steps = append(steps, m[1])
		} else {
			i, _ := strconv.Atoi(m[2])
			steps = append(steps, i)
		}
	}
	return key, steps
}

// getPath returns the value at path in values as a fuzz value: the raw config value of a key,
// the JSON of a value inside one.
func getPath(values map[string]string, path string) (string, bool) {
	key, steps := splitPath(path)
	raw, ok := values[key]
	if !ok || len(steps) == 0 {
		return raw, ok
	}
	var cur any
	if json.Unmarshal([]byte(raw), &cur) != nil {
		return "", false
	}
	for _, s := range steps {
		switch s := s.(type) {
		case string:
			m, ok := cur.(map[string]any)
			if !ok {
				return "", false
			}
			if cur, ok = m[s]; !ok {
				return "", false
			}
		case int:
			a, ok := cur.([]any)
			if !ok || s >= len(a) {
				return "", false
			}
			cur = a[s]
		}
	}
	b, _ := json.Marshal(cur)
	return string(b), true
}

// setPath sets path in values. A whole key gets value as Pulumi passes it (raw); a value inside
// one is value parsed as JSON, or as a string where it is not JSON. Missing objects and list
// elements on the way are created.
func setPath(t *testing.T, values map[string]string, path, value string) {
	key, steps := splitPath(path)
	if len(steps) == 0 {
		values[key] = value
		return
	}
	var root any
	if json.Unmarshal([]byte(values[key]), &root) != nil {
		root = nil
	}
	var v any
	if json.Unmarshal([]byte(value), &v) != nil {
		v = value
	}
	root = setIn(root, steps, v)
	b, err := json.Marshal(root)
	if err != nil {
		t.Fatal(err)
	}
	values[key] = string(b)
}

func setIn(cur any, steps []any, v any) any {
	if len(steps) == 0 {
		return v
	}
	switch s := steps[0].(type) {
	case string:
		m, ok := cur.(map[string]any)
		if !ok {
			m = map[string]any{}
		}
		m[s] = setIn(m[s], steps[1:], v)
		return m
	default:
		i := s.(int)
		a, _ := cur.([]any)
		for len(a) <= i {
			a = append(a, nil)
		}
		a[i] = setIn(a[i], steps[1:], v)
		return a
	}
}

func decodeNoPanic(t *testing.T, in planner.Input, secret map[string]bool, day time.Time) (cfg *config.Config, err error) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("Decode panicked: %v", r)
		}
	}()
	return config.DecodeOn(in.Project, in.Stack, in.Config, secret, day)
}

var indexes = regexp.MustCompile(`\[[0-9]+\]`)

// checkErrorsNameKey requires every error to be about path: on it, on a key above or below it,
// or naming it (or its field) in the message.
func checkErrorsNameKey(t *testing.T, err error, path string) {
	t.Helper()
	var errs config.Errors
	if !errors.As(err, &errs) || len(errs) == 0 {
		t.Fatalf("error is not a list of config errors (%T): %v", err, err)
	}
	bare := indexes.ReplaceAllString(path, "")
	field := bare[strings.LastIndexAny(bare, ".:")+1:]
	for _, e := range errs {
		k := e.Key
		related := k == path || strings.HasPrefix(k, path+".") || strings.HasPrefix(k, path+"[") ||
			strings.HasPrefix(path, k+".") || strings.HasPrefix(path, k+"[") ||
			strings.Contains(e.Msg, bare) || regexp.MustCompile(`\b`+regexp.QuoteMeta(field)+`\b`).MatchString(e.Msg)
		if !related {
			t.Errorf("setting %s failed with an error that does not name it: %s", path, e.Error())
		}
	}
}

// checkRoundTrip writes the decoded config back as config values and decodes it again: the
// defaults Decode filled in must decode to themselves.
func checkRoundTrip(t *testing.T, in planner.Input, cfg *config.Config, secret map[string]bool, day time.Time) {
	t.Helper()
	values := maps.Clone(in.Config)
	v := reflect.ValueOf(*cfg)
	for i := 0; i < v.NumField(); i++ {
		name := strings.Split(v.Type().Field(i).Tag.Get("json"), ",")[0]
		if name == "" || name == "-" {
			continue
		}
		key := config.Namespace + ":" + name
		if s, ok := v.Field(i).Interface().(config.Environment); ok {
			values[key] = string(s)
			continue
		}
		b, err := json.Marshal(v.Field(i).Interface())
		if err != nil {
			t.Fatal(err)
		}
		values[key] = string(b)
	}
	again, err := config.DecodeOn(in.Project, in.Stack, values, secret, day)
	if err != nil {
		t.Fatalf("the decoded config, written back, does not decode: %v", err)
	}
	// Compared as JSON (an empty list and no list are the same setting) plus the fields that
	// do not come from the platform keys.
	a, _ := json.Marshal(cfg)
	b, _ := json.Marshal(again)
	hidden := func(c *config.Config) []any {
		return []any{c.Project, c.Stack, c.Region, c.HasArgoCDSecret, c.HasGitHubToken, c.GitHubProviderOwner, c.Today}
	}
	if string(a) != string(b) || !reflect.DeepEqual(hidden(cfg), hidden(again)) {
		t.Fatalf("the decoded config does not round-trip:\n%s %v\n%s %v", a, hidden(cfg), b, hidden(again))
	}
}

// checkSubnets: one public and one private subnet per AZ, inside the VPC, none overlapping.
func checkSubnets(t *testing.T, p *planner.Plan, cfg *config.Config) {
	t.Helper()
	vpcs := p.OfType("aws:ec2/vpc:Vpc")
	if len(vpcs) != 1 {
		t.Fatalf("%d VPCs", len(vpcs))
	}
	vpc := netip.MustParsePrefix(vpcs[0].GetString("cidrBlock"))
	subnets := p.OfType("aws:ec2/subnet:Subnet")
	// public and private per AZ, and database subnets per AZ when a team has a database
	perAZ := 2
	if len(cfg.Databases()) > 0 {
		perAZ = 3
	}
	if len(subnets) != perAZ*cfg.Network.AZCount {
		t.Fatalf("%d subnets for %d AZs (%d each)", len(subnets), cfg.Network.AZCount, perAZ)
	}
	var prefixes []netip.Prefix
	for _, s := range subnets {
		pfx, err := netip.ParsePrefix(s.GetString("cidrBlock"))
		if err != nil {
			t.Fatalf("subnet %s: %v", s.Name, err)
		}
		if !vpc.Contains(pfx.Addr()) || pfx.Bits() < vpc.Bits() {
			t.Errorf("subnet %s %s is not inside the VPC %s", s.Name, pfx, vpc)
		}
		for _, q := range prefixes {
			if q.Overlaps(pfx) {
				t.Errorf("subnet %s %s overlaps %s", s.Name, pfx, q)
			}
		}
		prefixes = append(prefixes, pfx)
	}
}
