// Command amconfig-engine builds Alertmanager's configuration from the platform's base config
// and the teams' AlertmanagerConfig objects with prometheus-operator's own code
// (github.com/prometheus-operator/prometheus-operator v0.93.1, the operator
// kube-prometheus-stack 88.5.3 runs; package pkg/alertmanager, the ConfigBuilder the operator's
// reconciler calls). It applies the operator's enforcement as the Alertmanager object asks
// (alertmanagerConfigMatcherStrategy): every route of an AlertmanagerConfig gets its
// namespace's matcher and `continue: true`. The tests (tests/alerting_teams_test.go) then
// route alerts through the result with amtool, Alertmanager's own router.
//
// Input on stdin (JSON): the base configuration (YAML text), the Alertmanager's namespace and
// matcher strategy, its version, the AlertmanagerConfig objects and the Secrets they read.
// Output on stdout (JSON): {"config": the merged configuration as Alertmanager reads it
// (YAML)}; a refused object exits 1 with the operator's error.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"

	"github.com/blang/semver/v4"
	"github.com/prometheus-operator/prometheus-operator/pkg/alertmanager"
	monitoringv1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1"
	monitoringv1alpha1 "github.com/prometheus-operator/prometheus-operator/pkg/apis/monitoring/v1alpha1"
	"github.com/prometheus-operator/prometheus-operator/pkg/assets"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/client-go/kubernetes/fake"
)

// Input is what the tests send.
type Input struct {
	BaseConfig string `json:"baseConfig"`
	// Namespace of the Alertmanager object, and its matcher strategy ("" is the chart's
	// default: OnNamespace).
	Namespace       string `json:"namespace"`
	MatcherStrategy string `json:"matcherStrategy"`
	// Version is Alertmanager's (it decides the matcher syntax).
	Version string                                  `json:"version"`
	Configs []monitoringv1alpha1.AlertmanagerConfig `json:"configs"`
	Secrets []corev1.Secret                         `json:"secrets"`
}

func main() {
	if err := run(os.Stdin, os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "amconfig-engine:", err)
		os.Exit(1)
	}
}

func run(stdin io.Reader, stdout io.Writer) error {
	var in Input
	dec := json.NewDecoder(stdin)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&in); err != nil {
		return fmt.Errorf("reading the input: %w", err)
	}
	version, err := semver.ParseTolerant(in.Version)
	if err != nil {
		return fmt.Errorf("version %q: %w", in.Version, err)
	}
	objs := make([]runtime.Object, 0, len(in.Secrets))
	for i := range in.Secrets {
		objs = append(objs, &in.Secrets[i])
	}
	client := fake.NewSimpleClientset(objs...).CoreV1()
	am := &monitoringv1.Alertmanager{}
	am.Namespace = in.Namespace
	am.Spec.AlertmanagerConfigMatcherStrategy.Type = monitoringv1.AlertmanagerConfigMatcherStrategyType(in.MatcherStrategy)
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	cb := alertmanager.NewConfigBuilder(logger, version, assets.NewStoreBuilder(client, client), am)
	if err := cb.InitializeFromRawConfiguration([]byte(in.BaseConfig)); err != nil {
		return fmt.Errorf("the base configuration: %w", err)
	}
	configs := map[string]*monitoringv1alpha1.AlertmanagerConfig{}
	for i := range in.Configs {
		c := &in.Configs[i]
		configs[c.Namespace+"/"+c.Name] = c
	}
	if err := cb.AddAlertmanagerConfigs(context.Background(), configs); err != nil {
		return err
	}
	out, err := cb.MarshalJSON() // YAML, despite its name
	if err != nil {
		return err
	}
	return json.NewEncoder(stdout).Encode(map[string]string{"config": string(out)})
}
