package iampolicy

import (
	"reflect"
	"testing"
)

func TestParseNormalizesIAMShorthands(t *testing.T) {
	doc, err := Parse([]byte(`{"Version":"2012-10-17","Statement":[
	  {"Effect":"Allow","Action":"s3:GetObject","Resource":"arn:aws:s3:::b/*",
	   "Condition":{"StringEquals":{"aws:SourceAccount":"123456789012"}}},
	  {"Effect":"Allow","Principal":"*","Action":["sts:AssumeRole"]},
	  {"Effect":"Allow","Principal":{"Service":"ec2.amazonaws.com"},"Action":["sts:AssumeRole"]}]}`))
	if err != nil {
		t.Fatal(err)
	}
	want := New(
		Statement{Effect: "Allow", Action: []string{"s3:GetObject"}, Resource: []string{"arn:aws:s3:::b/*"},
			Condition: map[string]map[string][]string{"StringEquals": {"aws:SourceAccount": {"123456789012"}}}},
		Statement{Effect: "Allow", Principal: map[string][]string{"*": {"*"}}, Action: []string{"sts:AssumeRole"}},
		Statement{Effect: "Allow", Principal: map[string][]string{"Service": {"ec2.amazonaws.com"}}, Action: []string{"sts:AssumeRole"}},
	)
	if !reflect.DeepEqual(doc, want) {
		t.Errorf("Parse = %+v\nwant %+v", doc, want)
	}
	// What JSON renders, Parse reads back unchanged.
	back, err := Parse([]byte(want.JSON()))
	if err != nil || !reflect.DeepEqual(back, want) {
		t.Errorf("round trip = %+v, %v", back, err)
	}
	if _, err := Parse([]byte(`{"Statement":[{"Action":1}]}`)); err == nil {
		t.Error("a number as Action: want an error")
	}
}

// Not* elements are kept (dropping NotAction would turn "everything but" into "nothing"), and
// a single Statement object is read like a list of one.
func TestParseKeepsNotElements(t *testing.T) {
	doc, err := Parse([]byte(`{"Version":"2012-10-17","Statement":{"Effect":"Deny","NotAction":["iam:*","sts:*"],
	  "NotResource":"arn:aws:s3:::keep/*","NotPrincipal":{"AWS":"arn:aws:iam::1:root"}}}`))
	if err != nil {
		t.Fatal(err)
	}
	s := doc.Statement[0]
	if len(doc.Statement) != 1 || !reflect.DeepEqual(s.NotAction, []string{"iam:*", "sts:*"}) || s.Action != nil ||
		!reflect.DeepEqual(s.NotResource, []string{"arn:aws:s3:::keep/*"}) || !reflect.DeepEqual(s.NotPrincipal, map[string][]string{"AWS": {"arn:aws:iam::1:root"}}) {
		t.Errorf("statement = %+v", s)
	}
	back, err := Parse([]byte(doc.JSON()))
	if err != nil || !Equal(back, doc) {
		t.Errorf("round trip = %+v, %v", back, err)
	}
}

// Equal ignores order (of statements, and of the values in each list) and Sids, and nothing
// else.
func TestEqual(t *testing.T) {
	a := New(
		Statement{Sid: "A", Effect: "Allow", Action: []string{"s3:GetObject", "s3:PutObject"}, Resource: []string{"arn:1", "arn:2"},
			Condition: map[string]map[string][]string{"StringEquals": {"k": {"x", "y"}}}},
		Allow([]string{"ec2:DescribeVpcs"}, "*"),
	)
	b := New(
		Allow([]string{"ec2:DescribeVpcs"}, "*"),
		Statement{Effect: "Allow", Action: []string{"s3:PutObject", "s3:GetObject"}, Resource: []string{"arn:2", "arn:1"},
			Condition: map[string]map[string][]string{"StringEquals": {"k": {"y", "x"}}}},
	)
	if !Equal(a, b) {
		t.Error("reordered documents differ")
	}
	if a.Statement[0].Action[0] != "s3:GetObject" || b.Statement[1].Action[0] != "s3:PutObject" {
		t.Error("Equal reordered its arguments")
	}
	c := New(Allow([]string{"ec2:DescribeVpcs"}, "*"), Allow([]string{"s3:GetObject", "s3:PutObject"}, "arn:1", "arn:2"))
	if Equal(a, c) {
		t.Error("a dropped condition is equal")
	}
	d := New(Allow([]string{"ec2:DescribeVpcs"}, "*"), Statement{Effect: "Allow", NotAction: []string{"s3:GetObject", "s3:PutObject"},
		Resource: []string{"arn:1", "arn:2"}, Condition: a.Statement[0].Condition})
	if Equal(a, d) {
		t.Error("Action and NotAction are equal")
	}
}
