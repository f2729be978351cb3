// A Node.js language host for component packages, the project's own: the part of pulumi-language-nodejs that starts a
// package's plugin from its source (PulumiPlugin.yaml, `runtime: nodejs`), as `pulumi package add <git URL>@<tag>`
// and every later `pulumi up` do. The Go module proxy serves no current pulumi-language-nodejs module, and the host in
// sdk/v3 v3.68.0 predates InstallDependencies for plugins and RunPlugin (tools/engine/build.ts), so this one answers
// the four calls the CLI makes of a plugin's language host, to the contract pulumi/pulumi's host documents
// (sdk/nodejs/cmd/pulumi-language-nodejs/main.go and sdk/nodejs/npm/npm.go):
//
//   - InstallDependencies: `npm install --loglevel=error` in the program directory, `--production` when the runtime
//     option `production` is true (the package manager option is npm only here);
//   - RunPlugin: node runs @pulumi/pulumi's cmd/run-plugin, resolved from the program directory as Node resolves it,
//     with the program directory and then the engine's arguments; PULUMI_NODEJS_TYPESCRIPT=true unless the option
//     `typescript` is false (it defaults to true); its stdout and stderr are streamed back, then its exit code;
//   - GetPluginInfo and Handshake.
//
// Everything else (Run, GeneratePackage, Link, …) answers Unimplemented: the programs of test:engine run in the
// v3.68.0 host or in Pulumi YAML's.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os/exec"
	"strings"

	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
	"google.golang.org/protobuf/types/known/emptypb"
)

// version is stamped by tools/engine/build.ts.
var version = "0.0.0"

type pluginHost struct {
	pulumirpc.UnimplementedLanguageRuntimeServer
}

func main() {
	// The flags the CLI may pass a language host; only the engine's address (the first argument) is used.
	flag.String("tracing", "", "Zipkin-compatible tracing endpoint (unused)")
	flag.String("root", "", "root of the program (unused)")
	flag.Parse()
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Init: func(srv *grpc.Server) error {
			pulumirpc.RegisterLanguageRuntimeServer(srv, &pluginHost{})
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start the language host's RPC server: %w", err))
	}
	// The CLI reads the port from the first line of stdout.
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}

func (h *pluginHost) GetPluginInfo(context.Context, *emptypb.Empty) (*pulumirpc.PluginInfo, error) {
	return &pulumirpc.PluginInfo{Version: version}, nil
}

func (h *pluginHost) Handshake(context.Context, *pulumirpc.LanguageHandshakeRequest) (*pulumirpc.LanguageHandshakeResponse, error) {
	return &pulumirpc.LanguageHandshakeResponse{}, nil
}

// options reads the runtime options this host honours, refusing a wrong type as the real host does.
func options(info *pulumirpc.ProgramInfo) (typescript bool, production bool, err error) {
	typescript = true
	var opts map[string]any
	if info != nil && info.Options != nil {
		opts = info.Options.AsMap()
	}
	if v, ok := opts["typescript"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return false, false, errors.New("typescript option must be a boolean")
		}
		typescript = b
	}
	if v, ok := opts["production"]; ok {
		b, isBool := v.(bool)
		if !isBool {
			return false, false, errors.New("production option must be a boolean")
		}
		production = b
	}
	if v, ok := opts["packagemanager"]; ok && v != "npm" && v != "auto" {
		return false, false, fmt.Errorf("this host installs with npm only, not %v", v)
	}
	return typescript, production, nil
}

func programDirectory(info *pulumirpc.ProgramInfo, fallback string) string {
	if info != nil && info.ProgramDirectory != "" {
		return info.ProgramDirectory
	}
	return fallback
}

func (h *pluginHost) InstallDependencies(
	req *pulumirpc.InstallDependenciesRequest, server pulumirpc.LanguageRuntime_InstallDependenciesServer,
) error {
	closer, stdout, stderr, err := rpcutil.MakeInstallDependenciesStreams(server, req.IsTerminal)
	if err != nil {
		return err
	}
	defer closer.Close()
	_, production, err := options(req.Info)
	if err != nil {
		return err
	}
	args := []string{"install", "--loglevel=error"}
	if production {
		args = append(args, "--production")
	}
	cmd := exec.CommandContext(server.Context(), "npm", args...)
	cmd.Dir = programDirectory(req.Info, req.Directory)
	cmd.Stdout, cmd.Stderr = stdout, stderr
	fmt.Fprintf(stdout, "Installing dependencies in %s (npm %s)...\n", cmd.Dir, strings.Join(args, " "))
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("npm %s in %s: %w", strings.Join(args, " "), cmd.Dir, err)
	}
	fmt.Fprintln(stdout, "Finished installing dependencies")
	return closer.Close()
}

// runPluginModule is the module the real host runs a plugin with (@pulumi/pulumi's cmd/run-plugin), found from the
// program directory as Node finds it.
func runPluginModule(ctx context.Context, dir string) (string, error) {
	cmd := exec.CommandContext(ctx, "node", "-e", "process.stdout.write(require.resolve(process.argv[1]))", "@pulumi/pulumi/cmd/run-plugin")
	cmd.Dir = dir
	out, err := cmd.Output()
	if err != nil {
		return "", fmt.Errorf("@pulumi/pulumi/cmd/run-plugin cannot be found from %s (are its dependencies installed?): %w", dir, err)
	}
	return string(out), nil
}

func (h *pluginHost) RunPlugin(req *pulumirpc.RunPluginRequest, server pulumirpc.LanguageRuntime_RunPluginServer) error {
	ctx := server.Context()
	dir := programDirectory(req.Info, req.Program)
	typescript, _, err := options(req.Info)
	if err != nil {
		return err
	}
	runPath, err := runPluginModule(ctx, dir)
	if err != nil {
		return err
	}
	closer, stdout, stderr, err := rpcutil.MakeRunPluginStreams(server, false)
	if err != nil {
		return err
	}
	defer closer.Close()
	env := append([]string{}, req.Env...)
	if typescript {
		env = append(env, "PULUMI_NODEJS_TYPESCRIPT=true")
	}
	cmd := exec.CommandContext(ctx, "node", append([]string{runPath, dir}, req.Args...)...)
	cmd.Dir = req.Pwd
	cmd.Env = env
	cmd.Stdout, cmd.Stderr = stdout, stderr
	code := int32(0)
	if err := cmd.Run(); err != nil {
		var exit *exec.ExitError
		if !errors.As(err, &exit) {
			return fmt.Errorf("running node for the plugin in %s: %w", dir, err)
		}
		code = int32(exit.ExitCode())
	}
	if err := closer.Close(); err != nil {
		return err
	}
	return server.Send(&pulumirpc.RunPluginResponse{Output: &pulumirpc.RunPluginResponse_Exitcode{Exitcode: code}})
}
