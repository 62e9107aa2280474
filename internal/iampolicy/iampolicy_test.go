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
