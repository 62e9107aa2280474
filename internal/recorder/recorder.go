// Package recorder is a resource provider for the real Pulumi engine that records instead of
// creating: test equipment that lets `pulumi preview/up/refresh/destroy` run end to end on the
// real program without a cloud. One binary serves every package the program uses (aws, eks,
// kubernetes, github, tls, random); it is installed under each pulumi-resource-<name> and
// learns its package from its own name.
//
// Its answers are the offline planner's (planner.Answers: ids, computed outputs, invokes, the
// pulumi-eks component's outputs), so there is one definition of what the clouds would answer.
// It checks inputs where that is cheap (required inputs, enum values, see checks.go), diffs with
// the replacement rules of internal/diff, keeps secrets secret, and appends every
// Create/Update/Delete/Read to a journal (JSON lines, $PLATFORM_RECORDER_JOURNAL) that tests read
// for the engine's order of operations. What it cannot prove: the clouds' own validation beyond
// those checks, quotas, eventual consistency and timing.
package recorder

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/pulumi/pulumi/sdk/v3/go/common/resource"
	"github.com/pulumi/pulumi/sdk/v3/go/common/resource/plugin"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"

	"github.com/example/platform/internal/diff"
	"github.com/example/platform/internal/planner"
)

// KubeconfigEnv names a kubeconfig file (JSON) the recorder answers as the cluster's instead
// of the mocks' one, so that the real Kubernetes provider, run beside the recorder, reaches
// the test API server (tests only: the engine tests on the real provider).
const KubeconfigEnv = "PLATFORM_RECORDER_KUBECONFIG"

// JournalEnv names the journal file every provider process appends to.
const JournalEnv = "PLATFORM_RECORDER_JOURNAL"

// DriftEnv names resources (comma-separated logical names) that read back changed.
const DriftEnv = "PLATFORM_RECORDER_DRIFT"

// DurationsEnv names a JSON file of create durations, {URN: milliseconds}: the recorder sleeps
// that long in each Create before answering, so that the engine's wall time on the recorder
// measures the time model's schedule (internal/timeline) rather than only its own overhead.
const DurationsEnv = "PLATFORM_RECORDER_DURATIONS"

// Version is what the provider reports; the engine uses the ambient plugin whatever version
// the program asks for.
const Version = "0.0.1-recorder"

// Entry is one line of the journal.
type Entry struct {
	Time    time.Time `json:"time"`
	Package string    `json:"package"`
	Op      string    `json:"op"` // create, update, delete, read
	URN     string    `json:"urn"`
	Type    string    `json:"type"`
	ID      string    `json:"id,omitempty"`
}

// Provider serves one package.
type Provider struct {
	pulumirpc.UnimplementedResourceProviderServer
	Package string
	// Engine is the connection to the engine (Construct registers through it).
	Engine *grpc.ClientConn

	mu      sync.Mutex
	region  string
	answers map[string]planner.Answers // by project/stack
}

// New is the provider of package pkg.
func New(pkg string, engine *grpc.ClientConn) *Provider {
	return &Provider{Package: pkg, Engine: engine, answers: map[string]planner.Answers{}}
}

var opts = plugin.MarshalOptions{KeepUnknowns: true, KeepSecrets: true, KeepResources: true, KeepOutputValues: true}

func (p *Provider) answersFor(urn resource.URN) planner.Answers {
	p.mu.Lock()
	defer p.mu.Unlock()
	key := urn.Project().String() + "/" + urn.Stack().String()
	a, ok := p.answers[key]
	if !ok {
		a = planner.NewAnswers(urn.Project().String(), urn.Stack().String(), p.region)
		p.answers[key] = a
	}
	return a
}

func (p *Provider) journal(op string, urn resource.URN, id string) error {
	path := os.Getenv(JournalEnv)
	if path == "" {
		return nil
	}
	line, err := json.Marshal(Entry{Time: time.Now().UTC(), Package: p.Package, Op: op, URN: string(urn), Type: string(urn.Type()), ID: id})
	if err != nil {
		return err
	}
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		return err
	}
	// One write per line: appends from the provider processes do not interleave.
	if _, err := f.Write(append(line, '\n')); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

func (p *Provider) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: Version}, nil
}

func (p *Provider) Handshake(context.Context, *pulumirpc.ProviderHandshakeRequest) (*pulumirpc.ProviderHandshakeResponse, error) {
	return &pulumirpc.ProviderHandshakeResponse{AcceptSecrets: true, AcceptResources: true, AcceptOutputs: true}, nil
}

func (p *Provider) GetSchema(context.Context, *pulumirpc.GetSchemaRequest) (*pulumirpc.GetSchemaResponse, error) {
	return &pulumirpc.GetSchemaResponse{Schema: fmt.Sprintf(`{"name":%q,"version":%q}`, p.Package, Version)}, nil
}

func (p *Provider) CheckConfig(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	return &pulumirpc.CheckResponse{Inputs: req.GetNews()}, nil
}

func (p *Provider) DiffConfig(context.Context, *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
}

func (p *Provider) Configure(_ context.Context, req *pulumirpc.ConfigureRequest) (*pulumirpc.ConfigureResponse, error) {
	region := req.GetVariables()[p.Package+":config:region"]
	if args, err := plugin.UnmarshalProperties(req.GetArgs(), opts); err == nil {
		if v, ok := args["region"]; ok && v.IsString() {
			region = v.StringValue()
		}
	}
	p.mu.Lock()
	p.region = region
	p.mu.Unlock()
	return &pulumirpc.ConfigureResponse{AcceptSecrets: true, SupportsPreview: true, AcceptResources: true, AcceptOutputs: true}, nil
}

func (p *Provider) Invoke(_ context.Context, req *pulumirpc.InvokeRequest) (*pulumirpc.InvokeResponse, error) {
	args, err := plugin.UnmarshalProperties(req.GetArgs(), opts)
	if err != nil {
		return nil, err
	}
	// Invokes carry no URN: the answers do not depend on project or stack.
	out, err := p.answersFor(resource.URN("urn:pulumi:invoke::invoke::"+req.GetTok()+"::invoke")).Invoke(req.GetTok(), args)
	if err != nil {
		return nil, err
	}
	ret, err := plugin.MarshalProperties(out, opts)
	return &pulumirpc.InvokeResponse{Return: ret}, err
}

func (p *Provider) Check(_ context.Context, req *pulumirpc.CheckRequest) (*pulumirpc.CheckResponse, error) {
	news, err := plugin.UnmarshalProperties(req.GetNews(), opts)
	if err != nil {
		return nil, err
	}
	var failures []*pulumirpc.CheckFailure
	for _, f := range checkInputs(string(resource.URN(req.GetUrn()).Type()), news) {
		failures = append(failures, &pulumirpc.CheckFailure{Property: f.Property, Reason: f.Reason})
	}
	return &pulumirpc.CheckResponse{Inputs: req.GetNews(), Failures: failures}, nil
}

// Diff compares the old inputs with the new: a changed key is an update, or a replacement
// where the real provider forces one (diff.ReplaceKeys, the same table `platform diff` uses).
func (p *Provider) Diff(_ context.Context, req *pulumirpc.DiffRequest) (*pulumirpc.DiffResponse, error) {
	oldsStruct := req.GetOldInputs()
	if oldsStruct == nil {
		oldsStruct = req.GetOlds()
	}
	olds, err := plugin.UnmarshalProperties(oldsStruct, opts)
	if err != nil {
		return nil, err
	}
	news, err := plugin.UnmarshalProperties(req.GetNews(), opts)
	if err != nil {
		return nil, err
	}
	typ := string(resource.URN(req.GetUrn()).Type())
	changed := changedKeys(olds, news, req.GetIgnoreChanges())
	if len(changed) == 0 {
		return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_NONE}, nil
	}
	var replaces []string
	for _, k := range changed {
		k8sIdentity := strings.HasPrefix(typ, "kubernetes:") && k == "metadata" && metadataIdentityChanged(olds, news)
		if slices.Contains(diff.ReplaceKeys[typ], k) || k8sIdentity {
			replaces = append(replaces, k)
		}
	}
	return &pulumirpc.DiffResponse{Changes: pulumirpc.DiffResponse_DIFF_SOME, Diffs: changed, Replaces: replaces, HasDetailedDiff: false}, nil
}

// changedKeys are the top-level input keys whose values differ (ignored keys excepted).
func changedKeys(olds, news resource.PropertyMap, ignore []string) []string {
	keys := map[string]bool{}
	for k := range olds {
		keys[string(k)] = true
	}
	for k := range news {
		keys[string(k)] = true
	}
	var out []string
	for k := range keys {
		if slices.Contains(ignore, k) || strings.HasPrefix(k, "__") {
			continue
		}
		o, n := olds[resource.PropertyKey(k)], news[resource.PropertyKey(k)]
		if !o.DeepEquals(n) {
			out = append(out, k)
		}
	}
	slices.Sort(out)
	return out
}

// metadataIdentityChanged: a Kubernetes object is replaced when its name or namespace changes.
func metadataIdentityChanged(olds, news resource.PropertyMap) bool {
	get := func(m resource.PropertyMap, k string) resource.PropertyValue {
		md, ok := m["metadata"]
		if !ok || !md.IsObject() {
			return resource.NewNullProperty()
		}
		return md.ObjectValue()[resource.PropertyKey(k)]
	}
	return !get(olds, "name").DeepEquals(get(news, "name")) || !get(olds, "namespace").DeepEquals(get(news, "namespace"))
}

func (p *Provider) Create(_ context.Context, req *pulumirpc.CreateRequest) (*pulumirpc.CreateResponse, error) {
	urn := resource.URN(req.GetUrn())
	inputs, err := plugin.UnmarshalProperties(req.GetProperties(), opts)
	if err != nil {
		return nil, err
	}
	id, state, err := p.answersFor(urn).Resource(string(urn.Type()), urn.Name(), inputs)
	if err != nil {
		return nil, err
	}
	if !req.GetPreview() {
		d, err := createDuration(urn)
		if err != nil {
			return nil, err
		}
		time.Sleep(d) // stands in for the cloud's own work (DurationsEnv); zero without it
		if err := p.journal("create", urn, id); err != nil {
			return nil, err
		}
	} else if strings.HasPrefix(string(urn.Type()), "random:") {
		// A random value is drawn when the resource is created: a preview does not know it.
		state = state.Copy()
		for k := range state {
			if _, input := inputs[k]; !input {
				state[k] = resource.MakeComputed(resource.NewStringProperty(""))
			}
		}
	}
	props, err := plugin.MarshalProperties(state, opts)
	return &pulumirpc.CreateResponse{Id: id, Properties: props}, err
}

func (p *Provider) Update(_ context.Context, req *pulumirpc.UpdateRequest) (*pulumirpc.UpdateResponse, error) {
	urn := resource.URN(req.GetUrn())
	news, err := plugin.UnmarshalProperties(req.GetNews(), opts)
	if err != nil {
		return nil, err
	}
	_, state, err := p.answersFor(urn).Resource(string(urn.Type()), urn.Name(), news)
	if err != nil {
		return nil, err
	}
	if !req.GetPreview() {
		if err := p.journal("update", urn, req.GetId()); err != nil {
			return nil, err
		}
	}
	props, err := plugin.MarshalProperties(state, opts)
	return &pulumirpc.UpdateResponse{Properties: props}, err
}

// Read (refresh) reports the resource as the cloud would now: the answers for its inputs,
// computed afresh (so an answer that is not a function of the inputs shows as drift), with
// the id it has. A resource named in $PLATFORM_RECORDER_DRIFT reads back with a tag someone
// added outside Pulumi (in its inputs, as a real provider reads them back from the cloud):
// the control that refresh reports drift and the next up puts it back.
func (p *Provider) Read(_ context.Context, req *pulumirpc.ReadRequest) (*pulumirpc.ReadResponse, error) {
	urn := resource.URN(req.GetUrn())
	if err := p.journal("read", urn, req.GetId()); err != nil {
		return nil, err
	}
	if req.GetInputs() == nil {
		// Nothing to compute from (a resource read, not created, by the program).
		return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: req.GetProperties()}, nil
	}
	inputs, err := plugin.UnmarshalProperties(req.GetInputs(), opts)
	if err != nil {
		return nil, err
	}
	if slices.Contains(strings.Split(os.Getenv(DriftEnv), ","), urn.Name()) {
		tags := resource.PropertyMap{}
		if t, ok := inputs["tags"]; ok && t.IsObject() {
			tags = t.ObjectValue().Copy()
		}
		tags["editedOutsidePulumi"] = resource.NewStringProperty("true")
		inputs = inputs.Copy()
		inputs["tags"] = resource.NewObjectProperty(tags)
	}
	_, state, err := p.answersFor(urn).Resource(string(urn.Type()), urn.Name(), inputs)
	if err != nil {
		return nil, err
	}
	props, err := plugin.MarshalProperties(state, opts)
	if err != nil {
		return nil, err
	}
	ins, err := plugin.MarshalProperties(inputs, opts)
	return &pulumirpc.ReadResponse{Id: req.GetId(), Properties: props, Inputs: ins}, err
}

func (p *Provider) Delete(_ context.Context, req *pulumirpc.DeleteRequest) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, p.journal("delete", resource.URN(req.GetUrn()), req.GetId())
}

func (p *Provider) Cancel(context.Context, *emptypb.Empty) (*emptypb.Empty, error) {
	return &emptypb.Empty{}, nil
}

func (p *Provider) GetMapping(context.Context, *pulumirpc.GetMappingRequest) (*pulumirpc.GetMappingResponse, error) {
	return &pulumirpc.GetMappingResponse{}, nil
}

func (p *Provider) GetMappings(context.Context, *pulumirpc.GetMappingsRequest) (*pulumirpc.GetMappingsResponse, error) {
	return &pulumirpc.GetMappingsResponse{}, nil
}

// ReadJournal reads a journal file.
func ReadJournal(path string) ([]Entry, error) {
	raw, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var out []Entry
	for _, line := range strings.Split(strings.TrimSpace(string(raw)), "\n") {
		if line == "" {
			continue
		}
		var e Entry
		if err := json.Unmarshal([]byte(line), &e); err != nil {
			return nil, fmt.Errorf("journal line %q: %w", line, err)
		}
		out = append(out, e)
	}
	return out, nil
}

var (
	durationsOnce sync.Once
	durations     map[string]int64
	durationsErr  error
)

// createDuration is how long the create of urn sleeps: its entry in DurationsEnv's file, or
// nothing without one.
func createDuration(urn resource.URN) (time.Duration, error) {
	durationsOnce.Do(func() { durations, durationsErr = readDurations(os.Getenv(DurationsEnv)) })
	return time.Duration(durations[string(urn)]) * time.Millisecond, durationsErr
}

// readDurations reads a durations file ("" is none).
func readDurations(path string) (map[string]int64, error) {
	if path == "" {
		return nil, nil
	}
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", DurationsEnv, err)
	}
	var out map[string]int64
	if err := json.Unmarshal(b, &out); err != nil {
		return nil, fmt.Errorf("%s: %s is not a JSON object of milliseconds by URN: %w", DurationsEnv, path, err)
	}
	return out, nil
}
