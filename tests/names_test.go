package tests

import (
	"encoding/json"
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/example/platform/components/teams/teamplan"
	"github.com/example/platform/internal/config"
	"github.com/example/platform/internal/planner"
	"github.com/example/platform/stacks"
)

// Physical names AWS, Kubernetes and GitHub would refuse, found offline. Pulumi names a
// resource without an explicit name "<logical name>-<7 random characters>"; the AWS provider
// completes a name prefix with 26 characters.
const (
	autoSuffix   = 8
	prefixSuffix = 26
	// acmLabel is the first label of an ACM validation record: "_" and 32 hexadecimal digits.
	acmLabel = 33
)

var (
	lowerName  = regexp.MustCompile(`^[a-z0-9][a-z0-9.-]*$`)
	dnsLabel   = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]*[a-z0-9])?$`)
	dnsSubName = regexp.MustCompile(`^[a-z0-9]([a-z0-9.-]*[a-z0-9])?$`)
)

// physicalName is one name a provider will create, with its limit.
type physicalName struct {
	what, name string
	max        int
	pattern    *regexp.Regexp
}

// physicalNames are the names a resource will carry, as its provider forms them.
func physicalNames(r planner.Resource) []physicalName {
	in := r.Inputs
	s := func(k string) string { v, _ := in[k].(string); return v }
	auto := func(k string) string {
		if v := s(k); v != "" {
			return v
		}
		return r.Name + strings.Repeat("x", autoSuffix)
	}
	var out []physicalName
	add := func(what, name string, max int, pattern *regexp.Regexp) {
		out = append(out, physicalName{what, name, max, pattern})
	}
	switch r.Type {
	case "aws:iam/role:Role":
		add("IAM role name", auto("name"), 64, nil)
		if p := s("path"); p != "" {
			add("IAM role path", p, 512, regexp.MustCompile(`^/([\x21-\x7e]+/)*$`))
		}
	case "aws:ecr/repository:Repository":
		add("ECR repository name", s("name"), 256, regexp.MustCompile(`^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$`))
	case "aws:iam/rolePolicy:RolePolicy":
		add("IAM inline policy name", auto("name"), 128, nil)
	case "aws:eks/nodeGroup:NodeGroup":
		add("EKS node group name", auto("nodeGroupName"), 63, nil)
	case "aws:ec2/launchTemplate:LaunchTemplate":
		add("launch template name", auto("name"), 128, nil)
	case "aws:s3/bucketV2:BucketV2":
		name := s("bucket")
		if p := s("bucketPrefix"); p != "" {
			name = p + strings.Repeat("0", prefixSuffix)
		} else if name == "" {
			name = auto("bucket")
		}
		add("S3 bucket name", name, 63, lowerName)
	case "aws:cloudwatch/logGroup:LogGroup":
		name := s("name")
		if p := s("namePrefix"); p != "" {
			name = p + strings.Repeat("0", prefixSuffix)
		}
		add("log group name", name, 512, nil)
	case "aws:kms/alias:Alias":
		add("KMS alias", s("name"), 256, nil)
	case "aws:ssm/parameter:Parameter":
		add("SSM parameter name", s("name"), 2048, nil)
		if levels := strings.Count(s("name"), "/"); levels > 15 {
			add("SSM parameter hierarchy (levels)", strings.Repeat("/", levels), 15, nil)
		}
	case "aws:route53/zone:Zone":
		add("hosted zone", s("name"), 253, nil)
	case "aws:acm/certificate:Certificate":
		names := []string{s("domainName")}
		for _, v := range in["subjectAlternativeNames"].([]any) {
			names = append(names, v.(string))
		}
		for _, n := range names {
			add("certificate name", n, 253, nil)
			// Its DNS validation record, in the stack's zone.
			add("ACM validation record", strings.Repeat("_", acmLabel)+"."+strings.TrimPrefix(n, "*."), 253, nil)
		}
	case "eks:index:Cluster":
		add("EKS cluster name", s("name"), 100, nil)
	case "github:index/repositoryEnvironment:RepositoryEnvironment":
		add("GitHub environment", s("environment"), 255, nil)
	case "kubernetes:helm.sh/v3:Release":
		add("Helm release name", s("name"), 53, dnsLabel)
		hosts(r.Inputs["values"], func(h string) { add("Ingress host", h, 253, dnsSubName) })
	}
	if strings.HasPrefix(r.Type, "kubernetes:") && !strings.HasPrefix(r.Type, "kubernetes:helm.sh/") {
		if r.Type == "kubernetes:core/v1:Namespace" {
			add("namespace", r.GetString("metadata.name"), 63, dnsLabel)
		} else {
			add("Kubernetes object name", r.GetString("metadata.name"), 253, dnsSubName)
		}
	}
	if tags, ok := in["tags"].(map[string]any); ok && strings.HasPrefix(r.Type, "aws:") {
		for k, v := range tags {
			add("AWS tag key", k, 128, nil)
			add("AWS tag value of "+k, fmt.Sprint(v), 256, nil)
		}
	}
	return out
}

// hosts calls f with every Ingress host in Helm values.
func hosts(v any, f func(string)) {
	switch x := v.(type) {
	case map[string]any:
		for k, e := range x {
			if k == "hosts" {
				for _, h := range asList(e) {
					if s, ok := h.(string); ok {
						f(s)
					}
				}
				continue
			}
			if k == "global" {
				if m, ok := e.(map[string]any); ok {
					if d, ok := m["domain"].(string); ok {
						f(d)
					}
				}
			}
			hosts(e, f)
		}
	case []any:
		for _, e := range x {
			hosts(e, f)
		}
	}
}

func asList(v any) []any { l, _ := v.([]any); return l }

// worstCase is prod with every name at the longest the config accepts and every optional part
// on: the longest cluster name, domain and node group names, Secrets Manager, Argo CD.
func worstCase(t *testing.T, domain string, additional []any) planner.Input {
	t.Helper()
	in := stackInput(t, "prod")
	renameCluster(strings.Repeat("c", config.MaxClusterNameLength))(t, in.Config)
	edit(kCluster, "nodeGroups.0.name", strings.Repeat("g", 20))(t, in.Config)
	longLabel := "platform.example.org/" + strings.Repeat("l", config.MaxNodeLabelKeyLength-len("platform.example.org/"))
	edit(kCluster, "nodeGroups.0.labels", map[string]any{longLabel: strings.Repeat("v", 63)})(t, in.Config)
	edit(kDNS, "domain", domain)(t, in.Config)
	edit(kCerts, "additionalNames", additional)(t, in.Config)
	var g map[string]any
	json.Unmarshal([]byte(in.Config["platform:github"]), &g)
	g["owner"], g["gitopsRepo"], g["infraRepo"] = strings.Repeat("o", 39), strings.Repeat("r", 100), strings.Repeat("i", 100)
	b, _ := json.Marshal(g)
	in.Config["platform:github"] = string(b)
	in.Config["github:owner"] = strings.Repeat("o", 39)
	// The longest team name, namespace and image name the config accepts.
	edit(kTeams, "0.name", strings.Repeat("t", teamplan.MaxNameLength))(t, in.Config)
	edit(kTeams, "0.namespaces", []any{strings.Repeat("n", 63)})(t, in.Config)
	edit(kTeams, "0.images", []any{strings.Repeat("i", 64)})(t, in.Config)
	edit(kTeams, "0.githubTeam", "")(t, in.Config)
	return in
}

// labels builds exactly n characters of DNS labels (each at most 63) joined by dots.
func labels(n int) string {
	var out []string
	for rest := n; rest > 0; {
		l := min(63, rest)
		if rest-l == 1 { // the next label cannot be empty: leave it two characters
			l--
		}
		out = append(out, strings.Repeat(string(rune('a'+len(out))), l))
		rest -= l + 1
	}
	return strings.Join(out, ".")
}

// domainOf is a domain of exactly n characters.
func domainOf(n int) string { return labels(n-len(".org")) + ".org" }

func TestPhysicalNamesFitTheirLimits(t *testing.T) {
	longest := domainOf(config.MaxDomainLength)
	short := domainOf(100)
	// Additional names as long as allowed, wildcard or not, inside the shorter domain.
	named := labels(config.MaxDomainLength-len(short)-1) + "." + short
	wild := "*." + labels(config.MaxDomainLength-len(short)-1-len("*.")) + "." + short
	if len(longest) != config.MaxDomainLength || len(named) != config.MaxDomainLength || len(wild) != config.MaxDomainLength {
		t.Fatalf("names of %d, %d and %d characters, want %d", len(longest), len(named), len(wild), config.MaxDomainLength)
	}
	cases := map[string]planner.Input{
		"longest domain":           worstCase(t, longest, []any{}),
		"longest additional names": worstCase(t, short, []any{named, wild}),
	}
	for name, in := range cases {
		t.Run(name, func(t *testing.T) {
			p, err := planner.Run(in, stacks.Program)
			if err != nil {
				t.Fatalf("the config accepts these names, so the program must plan them: %v", err)
			}
			checked := 0
			for _, r := range p.Resources {
				for _, n := range physicalNames(r) {
					checked++
					if len(n.name) > n.max {
						t.Errorf("%s (%s): %s %q is %d characters, the limit is %d", r.Name, r.Type, n.what, n.name, len(n.name), n.max)
					}
					if n.pattern != nil && !n.pattern.MatchString(n.name) {
						t.Errorf("%s (%s): %s %q does not match %s", r.Name, r.Type, n.what, n.name, n.pattern)
					}
				}
			}
			if checked < 100 {
				t.Errorf("only %d names checked", checked)
			}
		})
	}
}
