package runnerplan

import (
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/internal/contract"
)

func TestEnvironmentFor(t *testing.T) {
	for _, tt := range []struct {
		compute, arch, wantType string
		ok                      bool
	}{
		{Medium, X86, "LINUX_CONTAINER", true},
		{Small, ARM, "ARM_CONTAINER", true},
		{Large, X86, "LINUX_CONTAINER", true},
		{"BUILD_GENERAL1_2XLARGE", X86, "", false},
		{Medium, "ppc64le", "", false},
	} {
		env, err := EnvironmentFor(tt.compute, tt.arch)
		if (err == nil) != tt.ok || env.Type != tt.wantType {
			t.Errorf("EnvironmentFor(%s, %s) = %+v, %v", tt.compute, tt.arch, env, err)
		}
	}
}

func TestFilterGroup(t *testing.T) {
	for name, want := range map[string]string{"release": "^release$", "a.b (x)": `^a\.b \(x\)$`} {
		got := FilterGroup(name)
		if len(got) != 2 || got[0] != (Filter{"EVENT", "WORKFLOW_JOB_QUEUED"}) || got[1] != (Filter{"WORKFLOW_NAME", want}) {
			t.Errorf("FilterGroup(%q) = %v", name, got)
		}
	}
}

func TestTrustAndPolicy(t *testing.T) {
	a := contract.Account{ID: "111122223333", Partition: "aws", Region: "eu-north-1"}
	trust := Trust(a, "c1").JSON()
	for _, want := range []string{`"codebuild.amazonaws.com"`, `"aws:SourceAccount":["111122223333"]`, `arn:aws:codebuild:eu-north-1:111122223333:project/c1-runners`} {
		if !strings.Contains(trust, want) {
			t.Errorf("trust %s lacks %s", trust, want)
		}
	}
	p := Policy(a, "c1", []string{"subnet-a"}, "sg-1")
	var actions []string
	for _, s := range p.Statement {
		actions = append(actions, s.Action...)
		for _, r := range s.Resource {
			if r == "*" && !slices.Equal(s.Condition["StringEquals"]["aws:RequestedRegion"], []string{"eu-north-1"}) {
				t.Errorf("statement %s on * outside the region", s.Sid)
			}
		}
	}
	for _, a := range actions {
		if !strings.HasPrefix(a, "logs:") && !strings.HasPrefix(a, "ec2:") {
			t.Errorf("runner policy allows %s", a)
		}
	}
}
