// Pulumi YAML's language host, pulumi/pulumi-yaml v1.25.0 (the newest the Go module proxy serves), served by a main
// of the project's own that does two things as later pulumi-yaml releases do (their pkg/server/server.go):
//
//   - it answers Link, which `pulumi package add` calls after generating the package's SDK, with nothing to do ("YAML
//     doesn't need to do anything to link in a package"): a YAML program names its packages in Pulumi.yaml, which the
//     CLI writes itself. v1.25.0 answers Unimplemented, and the CLI stops there;
//   - Run loads package schemas through the engine's loader (the RunRequest's loader target: NewLanguageHost's
//     useRPCLoader true; later releases have no other way), so a package installed from git is found where the CLI
//     installed it. v1.25.0's main loads them with its own pkg/sdk v3.206.0 plugin host, which looks the plugin up
//     by the package's name, not the git URL's, and tries to download it again.
//
// Every other call is v1.25.0's own (pkg/server NewLanguageHost), started as v1.25.0's cmd/pulumi-language-yaml starts
// it: the engine's address as the first argument, a health check on it.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"time"

	"github.com/pulumi/pulumi-yaml/pkg/server"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/cmdutil"
	"github.com/pulumi/pulumi/sdk/v3/go/common/util/rpcutil"
	pulumirpc "github.com/pulumi/pulumi/sdk/v3/proto/go"
	"google.golang.org/grpc"
)

// linkingHost is v1.25.0's host with Link answered.
type linkingHost struct {
	pulumirpc.LanguageRuntimeServer
}

func (linkingHost) Link(context.Context, *pulumirpc.LinkRequest) (*pulumirpc.LinkResponse, error) {
	return &pulumirpc.LinkResponse{}, nil
}

func main() {
	var tracing string
	flag.StringVar(&tracing, "tracing", "", "Emit tracing to a Zipkin-compatible tracing endpoint")
	flag.String("root", "", "Root of the program execution (unused)")
	flag.String("compiler", "", "[obsolete] Compiler to use to pre-process YAML")
	flag.Parse()
	var engineAddress string
	var cancel chan bool
	if args := flag.Args(); len(args) > 0 {
		engineAddress = args[0]
		// Stop serving when the engine goes away or on SIGINT.
		ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
		cancel = make(chan bool)
		go func() {
			<-ctx.Done()
			stop()
			close(cancel)
		}()
		if err := rpcutil.Healthcheck(ctx, engineAddress, 5*time.Minute, stop); err != nil {
			cmdutil.Exit(fmt.Errorf("could not start the health check: %w", err))
		}
	}
	handle, err := rpcutil.ServeWithOptions(rpcutil.ServeOptions{
		Cancel: cancel,
		Init: func(srv *grpc.Server) error {
			host := server.NewLanguageHost(engineAddress, tracing, true /* useRPCLoader */)
			pulumirpc.RegisterLanguageRuntimeServer(srv, linkingHost{host})
			return nil
		},
	})
	if err != nil {
		cmdutil.Exit(fmt.Errorf("could not start the language host's RPC server: %w", err))
	}
	fmt.Printf("%d\n", handle.Port)
	if err := <-handle.Done; err != nil {
		cmdutil.Exit(fmt.Errorf("language host RPC stopped serving: %w", err))
	}
}
