package lean

import "strconv"

// The messages of internal/pluginpb/plugin.proto, field for field (the
// same names as the generated Go types' fields); see there what each
// means. HostCall and HostReply have one pointer field set: their oneof.

// Hello is pluginpb.Hello.
type Hello struct {
	Protocol string           `pb:"1"`
	Version  uint32           `pb:"2"`
	Describe *DescribeRequest `pb:"3"`
}

// DescribeRequest is pluginpb.DescribeRequest.
type DescribeRequest struct {
	Plugin       string       `pb:"1"`
	HostBrokerId uint32       `pb:"2"`
	DirectHost   string       `pb:"3"`
	Mixins       []*MixinDecl `pb:"4"`
	LogLevel     string       `pb:"5"`
}

// MixinDecl is pluginpb.MixinDecl.
type MixinDecl struct {
	Name    string        `pb:"1"`
	Methods []*MethodDecl `pb:"2"`
}

// MethodDecl is pluginpb.MethodDecl.
type MethodDecl struct {
	Name      string `pb:"1"`
	ShapeJson string `pb:"2"`
}

// Description is pluginpb.Description.
type Description struct {
	Name                 string      `pb:"1"`
	Version              string      `pb:"2"`
	Description          string      `pb:"3"`
	Author               string      `pb:"4"`
	Url                  string      `pb:"5"`
	License              string      `pb:"6"`
	PrivacyPolicy        string      `pb:"7"`
	Compat               string      `pb:"8"`
	Hidden               bool        `pb:"9"`
	DisablingDiscouraged string      `pb:"10"`
	Hooks                []*HookDecl `pb:"11"`
	Helpers              []string    `pb:"12"`
	Mixins               []string    `pb:"13"`
	SettingsOverlayJson  []byte      `pb:"14"`
	Functions            []string    `pb:"15"`
	Protocol             uint32      `pb:"16"`
	DirectCalls          string      `pb:"17"`
	Id                   string      `pb:"18"`
	Failure              string      `pb:"19"`
	Features             []string    `pb:"20"`
}

// HookDecl is pluginpb.HookDecl.
type HookDecl struct {
	Name       string `pb:"1"`
	Order      int64  `pb:"2"`
	HasOrder   bool   `pb:"3"`
	ShapeJson  string `pb:"4"`
	FilterJson []byte `pb:"5"`
}

// CallRequest is pluginpb.CallRequest.
type CallRequest struct {
	Kind               CallRequest_Kind `pb:"1"`
	Target             string           `pb:"2"`
	ArgsJson           []byte           `pb:"3"`
	SettingsGeneration uint64           `pb:"4"`
	Http               *HTTPRequest     `pb:"5"`
	File               *FileRequest     `pb:"6"`
	Batch              []*BatchedCall   `pb:"7"`
	Codec              string           `pb:"8"`
}

// BatchedCall is pluginpb.BatchedCall.
type BatchedCall struct {
	Target   string `pb:"1"`
	ArgsJson []byte `pb:"2"`
	Codec    string `pb:"3"`
}

// BatchFailure is pluginpb.BatchFailure.
type BatchFailure struct {
	Index   uint32 `pb:"1"`
	Panic   string `pb:"2"`
	Failure string `pb:"3"`
}

// CallResponse is pluginpb.CallResponse.
type CallResponse struct {
	ResultsJson []byte          `pb:"1"`
	Error       string          `pb:"2"`
	HasError    bool            `pb:"3"`
	ErrorStatus int32           `pb:"6"`
	Panic       string          `pb:"4"`
	Failure     string          `pb:"5"`
	Http        *HTTPResponse   `pb:"7"`
	File        *FileResponse   `pb:"8"`
	Failures    []*BatchFailure `pb:"9"`
}

// HTTPRequest is pluginpb.HTTPRequest.
type HTTPRequest struct {
	Object     uint64    `pb:"6"`
	Method     string    `pb:"1"`
	Url        string    `pb:"2"`
	Headers    []*Header `pb:"3"`
	Body       []byte    `pb:"4"`
	RemoteAddr string    `pb:"5"`
}

// Header is pluginpb.Header.
type Header struct {
	Name   string   `pb:"1"`
	Values []string `pb:"2"`
}

// HTTPResponse is pluginpb.HTTPResponse.
type HTTPResponse struct {
	Status  int32     `pb:"1"`
	Headers []*Header `pb:"2"`
	Body    []byte    `pb:"3"`
}

// FileRequest is pluginpb.FileRequest.
type FileRequest struct {
	Object uint64 `pb:"2"`
	Name   string `pb:"1"`
}

// FileResponse is pluginpb.FileResponse.
type FileResponse struct {
	Data   []byte `pb:"1"`
	Exists bool   `pb:"2"`
	IsDir  bool   `pb:"3"`
}

// SettingsRequest is pluginpb.SettingsRequest.
type SettingsRequest struct {
	Op        string `pb:"1"`
	Path      string `pb:"2"`
	ValueJson []byte `pb:"3"`
}

// SettingsResponse is pluginpb.SettingsResponse.
type SettingsResponse struct {
	ValueJson []byte `pb:"1"`
	Found     bool   `pb:"2"`
	Error     string `pb:"3"`
}

// ManagerRequest is pluginpb.ManagerRequest.
type ManagerRequest struct {
	Op     string   `pb:"1"`
	Plugin string   `pb:"2"`
	Names  []string `pb:"3"`
}

// ManagerResponse is pluginpb.ManagerResponse.
type ManagerResponse struct {
	ResultJson []byte `pb:"1"`
}

// HelperRequest is pluginpb.HelperRequest.
type HelperRequest struct {
	Plugin   string `pb:"1"`
	Helper   string `pb:"2"`
	ArgsJson []byte `pb:"3"`
	Hook     string `pb:"4"`
}

// InvokeRequest is pluginpb.InvokeRequest.
type InvokeRequest struct {
	Name       string `pb:"1"`
	ArgsJson   []byte `pb:"2"`
	Injectable string `pb:"3"`
}

// InvokeResponse is pluginpb.InvokeResponse.
type InvokeResponse struct {
	ResultJson []byte `pb:"1"`
	Error      string `pb:"2"`
}

// HostCall is pluginpb.HostCall.
type HostCall struct {
	Settings *SettingsRequest `pb:"1"`
	Manager  *ManagerRequest  `pb:"2"`
	Helper   *HelperRequest   `pb:"3"`
	Invoke   *InvokeRequest   `pb:"5"`
}

// HostReply is pluginpb.HostReply.
type HostReply struct {
	Settings *SettingsResponse `pb:"1"`
	Manager  *ManagerResponse  `pb:"2"`
	Helper   *CallResponse     `pb:"3"`
	Invoke   *InvokeResponse   `pb:"5"`
	Failure  string            `pb:"6"`
}

// MarshalAppend and Unmarshal make each message a transport.Message.

func (m *Hello) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *Hello) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *DescribeRequest) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *DescribeRequest) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *MixinDecl) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *MixinDecl) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *MethodDecl) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *MethodDecl) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *Description) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *Description) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *HookDecl) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *HookDecl) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *CallRequest) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *CallRequest) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *BatchedCall) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *BatchedCall) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *BatchFailure) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *BatchFailure) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *CallResponse) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *CallResponse) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *HTTPRequest) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *HTTPRequest) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *Header) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *Header) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *HTTPResponse) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *HTTPResponse) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *FileRequest) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *FileRequest) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *FileResponse) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *FileResponse) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *SettingsRequest) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *SettingsRequest) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *SettingsResponse) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *SettingsResponse) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *ManagerRequest) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *ManagerRequest) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *ManagerResponse) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *ManagerResponse) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *HelperRequest) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *HelperRequest) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *InvokeRequest) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *InvokeRequest) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *InvokeResponse) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *InvokeResponse) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *HostCall) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *HostCall) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

func (m *HostReply) MarshalAppend(b []byte) ([]byte, error) { return Marshal(b, m), nil }
func (m *HostReply) Unmarshal(b []byte) error               { return Unmarshal(b, m) }

// CallRequest_Kind is pluginpb.CallRequest_Kind.
type CallRequest_Kind int32 //nolint:revive // the generated name

// The kinds of calls, as pluginpb names them.
const (
	CallRequest_KIND_UNSPECIFIED CallRequest_Kind = iota
	CallRequest_FUNCTION
	CallRequest_METHOD
	CallRequest_HOOK
	CallRequest_HELPER
	CallRequest_INJECT
	CallRequest_LOG_LEVEL
	CallRequest_SERVE_HTTP
	CallRequest_READ_FILE
	CallRequest_HOOK_BATCH
)

var kindNames = []string{"KIND_UNSPECIFIED", "FUNCTION", "METHOD", "HOOK", "HELPER", "INJECT", "LOG_LEVEL", "SERVE_HTTP", "READ_FILE", "HOOK_BATCH"}

// String names the kind as pluginpb does.
func (k CallRequest_Kind) String() string {
	if k >= 0 && int(k) < len(kindNames) {
		return kindNames[k]
	}
	return strconv.Itoa(int(k))
}
