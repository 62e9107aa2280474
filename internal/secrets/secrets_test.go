package secrets

import (
	"errors"
	"strings"
	"testing"
	"testing/iotest"
)

func TestValidateName(t *testing.T) {
	for _, ok := range []string{"KEY", "payments-api/DB_PASSWORD", "a/b/c.d_e-f", "v1.2"} {
		if err := ValidateName(ok); err != nil {
			t.Errorf("%q: %v", ok, err)
		}
	}
	for _, bad := range []string{"", "/KEY", "KEY/", "a//b", "..", "../x", "a/../b", "a..b", ".", "a/./b", "a b", "a:b", "a*", "a\nb"} {
		if err := ValidateName(bad); err == nil {
			t.Errorf("%q was accepted", bad)
		} else if !strings.Contains(err.Error(), "payments-api/DB_PASSWORD") {
			t.Errorf("%q: %v does not say what is allowed", bad, err)
		}
	}
}

func TestParameterNameLimits(t *testing.T) {
	if got, err := ParameterName("platform-dev", "payments", "payments-api/DB_PASSWORD"); err != nil || got != "/platform-dev/teams/payments/payments-api/DB_PASSWORD" {
		t.Errorf("%q %v", got, err)
	}
	prefix := len("/c/teams/a/")
	if _, err := ParameterName("c", "a", strings.Repeat("k", MaxNameLength-prefix)); err != nil {
		t.Errorf("the longest name: %v", err)
	}
	if _, err := ParameterName("c", "a", strings.Repeat("k", MaxNameLength-prefix+1)); err == nil || !strings.Contains(err.Error(), "too long") {
		t.Errorf("one more: %v", err)
	}
	// /c/teams/a/ is 3 levels: 12 more make 15.
	if _, err := ParameterName("c", "a", strings.Repeat("x/", 11)+"k"); err != nil {
		t.Errorf("15 levels: %v", err)
	}
	if _, err := ParameterName("c", "a", strings.Repeat("x/", 12)+"k"); err == nil || !strings.Contains(err.Error(), "too deep") {
		t.Errorf("16 levels: %v", err)
	}
}

func TestReadValue(t *testing.T) {
	for in, want := range map[string]string{"s3cret": "s3cret", "s3cret\n": "s3cret", "s3cret\r\n": "s3cret", "a\nb\n\n": "a\nb\n", " x ": " x "} {
		if got, err := ReadValue(strings.NewReader(in)); err != nil || got != want {
			t.Errorf("%q: %q %v", in, got, err)
		}
	}
	max := strings.Repeat("v", MaxValueBytes)
	if got, err := ReadValue(strings.NewReader(max + "\n")); err != nil || got != max {
		t.Errorf("the largest value: %d bytes, %v", len(got), err)
	}
	for name, in := range map[string]string{"empty": "", "a newline": "\n", "too long": max + "v"} {
		_, err := ReadValue(strings.NewReader(in))
		if err == nil {
			t.Errorf("%s was accepted", name)
		} else if strings.Contains(err.Error(), "vvvv") {
			t.Errorf("%s: the error quotes the value: %v", name, err)
		}
	}
	if _, err := ReadValue(iotest.ErrReader(errors.New("boom"))); err == nil {
		t.Error("a read error was ignored")
	}
}

func TestValidateRoleArn(t *testing.T) {
	for _, ok := range []string{"arn:aws:iam::123456789012:role/c1/teams/teams-a-writer-role-0a1b2c3", "arn:aws-cn:iam::123456789012:role/c1/teams/x"} {
		if err := ValidateRoleArn(ok, "c1"); err != nil {
			t.Errorf("%s: %v", ok, err)
		}
	}
	for _, bad := range []string{"teams-a-writer-role", "arn:aws:iam::123456789012:user/c1/teams/x", "arn:aws:iam::12345:role/c1/teams/x",
		"arn:aws:iam::123456789012:role/c1/teams/secrets/teams-a-secrets-role-1", "arn:aws:iam::123456789012:role/c2/teams/x",
		"arn:aws:iam::123456789012:role/platform-admin", "arn:aws:iam::123456789012:role/c1/platform/x"} {
		if err := ValidateRoleArn(bad, "c1"); err == nil {
			t.Errorf("%s was accepted", bad)
		}
	}
}
