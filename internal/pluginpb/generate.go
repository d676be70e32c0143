// Package pluginpb is the generated code of plugin.proto: the protocol
// between the host and process plugins. Regenerate with go generate (needs
// protoc, protoc-gen-go and protoc-gen-go-grpc on PATH).
package pluginpb

//go:generate protoc --go_out=. --go_opt=paths=source_relative --go-grpc_out=. --go-grpc_opt=paths=source_relative plugin.proto
