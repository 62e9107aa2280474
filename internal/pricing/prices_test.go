package pricing

import (
	"maps"
	"reflect"
	"slices"
	"testing"
)

// Every unit price of every region is set and plausible, found by reflection so a field added
// to RegionPrices is checked too: a price left at zero would make its resources free. Regional
// list prices stay within half to twice us-east-1's; outside that, a digit slipped.
func TestEveryRegionPricesEveryField(t *testing.T) {
	ref, ok := Prices["us-east-1"]
	if !ok {
		t.Fatal("no us-east-1 prices to compare with")
	}
	refV := reflect.ValueOf(ref)
	typ := refV.Type()
	checked := 0
	for _, region := range slices.Sorted(maps.Keys(Prices)) {
		v := reflect.ValueOf(Prices[region])
		for i := 0; i < typ.NumField(); i++ {
			name := typ.Field(i).Name
			switch typ.Field(i).Type.Kind() {
			case reflect.Float64:
				checkPrice(t, region, name, v.Field(i).Float(), refV.Field(i).Float())
				checked++
			case reflect.Map:
				got, want := v.Field(i).Interface().(map[string]float64), refV.Field(i).Interface().(map[string]float64)
				if k, wk := slices.Sorted(maps.Keys(got)), slices.Sorted(maps.Keys(want)); !slices.Equal(k, wk) {
					t.Errorf("%s %s prices %v, us-east-1 %v: every region prices the same instance types", region, name, k, wk)
				}
				for _, it := range slices.Sorted(maps.Keys(want)) {
					checkPrice(t, region, name+"["+it+"]", got[it], want[it])
				}
				checked++
			default:
				t.Errorf("RegionPrices.%s is a %s: this test checks float64 and map[string]float64 fields", name, typ.Field(i).Type)
			}
		}
	}
	if want := len(Prices) * typ.NumField(); checked != want {
		t.Errorf("checked %d fields, want %d", checked, want)
	}
	if len(Prices) < 3 {
		t.Errorf("%d regions priced", len(Prices))
	}
}

func checkPrice(t *testing.T, region, field string, got, ref float64) {
	t.Helper()
	if got <= 0 {
		t.Errorf("%s %s = %v: a unit price must be positive", region, field, got)
		return
	}
	if got < ref/2 || got > ref*2 {
		t.Errorf("%s %s = %v, us-east-1 %v: more than a factor 2 apart", region, field, got, ref)
	}
}
